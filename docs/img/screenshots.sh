#!/bin/sh
# Makes the report screenshots in docs/img from the Kolada example (needs
# ../shared and Chromium). Run from the repository root:
#   sh docs/img/screenshots.sh
set -e
K=target/release/kommunrank
T=$(mktemp -d)
$K sensitivity --spec examples/kolada_digital2022.toml --runs 2000 --format json --quiet --out "$T/mc.json"
$K report --spec examples/kolada_digital2022.toml --sensitivity "$T/mc.json" \
  --map ../shared/data/geo/swedish_municipalities.geojson \
  --map-borders ../shared/data/geo/swedish_regions.geojson --quiet --out "$T/report.html"
# One section of the page alone: everything before its heading and from the
# next heading on is removed after the page's own scripts ran.
only() {
  sed "s|</body>|<script>(function(){var h=document.getElementById('$1'),m=h.parentNode,on=false,drop=[];Array.prototype.forEach.call(m.children,function(e){if(e===h)on=true;else if(on\&\&e.tagName==='H2')on=false;if(!on\&\&e.tagName!=='SCRIPT')drop.push(e);});drop.forEach(function(e){if(!e.querySelector('svg defs'))e.style.display='none';});})();</script></body>|" "$T/report.html" > "$T/$1.html"
}
only map
only reweight
# The re-weighting view with Connectivity's weight tripled (a link's #w=).
W=$(sed -n 's/.*"weights":\[\([^]]*\)\].*/\1/p' "$T/report.html" | head -1)
W3=$(echo "$W" | awk -F, '{ $1 = $1 * 3; print }' OFS=,)
shot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$T/profile" \
    --window-size=1200,$2 --virtual-time-budget=3000 --screenshot="$1" "$3" 2>/dev/null
}
shot docs/img/map.png 760 "file://$T/map.html"
shot docs/img/reweight.png 1250 "file://$T/reweight.html#w=$W3"
rm -rf "$T"
