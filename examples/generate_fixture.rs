//! Generates the built-in example `fixtures/eservice2014/eservice2014.csv`:
//! SYNTHETIC answers to an e-service survey modelled on SKL's 2014 survey,
//! for all 290 municipalities (real SCB codes, names and counties, read from
//! ../shared/data/kolada/). Seeded, so the output is the same every time.
//!
//!     cargo run --example generate_fixture            # writes the fixture
//!     cargo run --example generate_fixture -- --check # compares, exit 1 if different
//!
//! What is modelled (from ../shared/context/background.md): about 220 of 290
//! answer; one in five respondents offers no e-service, the rest 1-140; 46%
//! offer apps, 62% use social media, 57% call e-government a high priority,
//! 76% collaborate on procurement and about 70% on IT operations and on
//! e-services; smaller municipalities lag on average. 34 respondents answer
//! too few questions to be ranked (the survey ranked 186 of 220).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// SplitMix64: a small, well-known, seedable generator.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "ja".into() } else { "nej".into() }
}

pub fn generate(shared: &Path) -> String {
    let kolada = shared.join("data/kolada");
    let municipalities = read_csv(&kolada.join("municipalities.csv"));
    let regions: HashMap<String, String> = read_csv(&kolada.join("regions.csv"))
        .into_iter()
        .map(|r| (r["region"].clone(), r["name"].clone()))
        .collect();
    let population: HashMap<String, f64> = read_csv(&kolada.join("datapoints/n01951.csv"))
        .into_iter()
        .filter(|r| r["year"] == "2014" && r["geo"].len() == 4)
        .map(|r| (r["geo"].clone(), r["n01951"].parse().unwrap()))
        .collect();
    let mut rng = Rng(20140601);
    let logs: Vec<f64> = municipalities
        .iter()
        .map(|m| population[&m["kommun"]].ln())
        .collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();

    // Who answers: 70 non-respondents, drawn with smaller municipalities more
    // likely not to answer; then 34 respondents answer only partly.
    let n = municipalities.len();
    let size: Vec<f64> = logs.iter().map(|l| (l - mean) / sd).collect();
    let mut keys: Vec<(f64, usize)> = (0..n)
        .map(|i| (rng.uniform().ln() / logistic(-0.8 * size[i]), i))
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0));
    let non_respondents: Vec<usize> = keys[..70].iter().map(|k| k.1).collect();
    let mut respondents: Vec<usize> = keys[70..].iter().map(|k| k.1).collect();
    respondents.sort_unstable();
    let mut partial_keys: Vec<(f64, usize)> =
        respondents.iter().map(|&i| (rng.uniform(), i)).collect();
    partial_keys.sort_by(|a, b| a.0.total_cmp(&b.0));
    let partial: Vec<usize> = partial_keys[..34].iter().map(|k| k.1).collect();

    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kommun",
        "name",
        "county",
        "county_name",
        "size_class",
        "responded",
        "e_services",
        "apps",
        "social_media",
        "egov_priority",
        "open_data",
        "collab_procurement",
        "collab_it",
        "collab_eservices",
        "digital_alarms",
    ])
    .unwrap();
    for (i, m) in municipalities.iter().enumerate() {
        let pop = population[&m["kommun"]];
        let size_class = if pop >= 100_000.0 {
            "large"
        } else if pop >= 25_000.0 {
            "medium"
        } else {
            "small"
        };
        let mut row = vec![
            m["kommun"].clone(),
            m["name"].clone(),
            m["region"].clone(),
            regions[&m["region"]].clone(),
            size_class.to_string(),
        ];
        // Draw every answer for every unit so the stream does not depend on who answers.
        let maturity = 0.9 * size[i] + rng.normal();
        let none = rng.chance(logistic(-1.7 - 1.3 * maturity));
        let count = (2.3 + 0.85 * maturity + 0.6 * rng.normal())
            .exp()
            .round()
            .clamp(1.0, 140.0);
        let answers = [
            if none {
                "0".to_string()
            } else {
                format!("{count}")
            },
            yes_no(rng.chance(logistic(-0.3 + 1.5 * maturity))),
            yes_no(rng.chance(logistic(0.6 + 1.3 * maturity))),
            if rng.chance(logistic(0.35 + 1.3 * maturity)) {
                "hög".to_string()
            } else if rng.chance(0.6) {
                "medel".to_string()
            } else {
                "låg".to_string()
            },
            yes_no(rng.chance(logistic(-1.2 + 1.4 * maturity))),
            yes_no(rng.chance(logistic(1.3 + 0.6 * maturity))),
            yes_no(rng.chance(logistic(0.9 + 0.6 * maturity))),
            yes_no(rng.chance(logistic(0.9 + 0.8 * maturity))),
            match rng.uniform() {
                u if u < 0.25 => "klar".to_string(),
                u if u < 0.8 => "påbörjad".to_string(),
                _ => "nej".to_string(),
            },
        ];
        // Which scored questions a partial respondent answers: 1 to 3 of the 8.
        let answered_count = 1 + (rng.next_u64() % 3) as usize;
        let mut order: Vec<(f64, usize)> = (0..8).map(|j| (rng.uniform(), j)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let answered: Vec<usize> = order[..answered_count].iter().map(|o| o.1).collect();
        if non_respondents.contains(&i) {
            row.push("nej".into());
            row.extend(answers.iter().map(|_| String::new()));
        } else if partial.contains(&i) {
            // Partial answers: under half of the 8 scored questions.
            row.push("ja".into());
            for (j, a) in answers.iter().enumerate() {
                let keep = answered.contains(&j) || j == 8;
                row.push(if keep { a.clone() } else { String::new() });
            }
        } else {
            row.push("ja".into());
            row.extend(answers.iter().cloned());
        }
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let target = root.join("fixtures/eservice2014/eservice2014.csv");
    let text = generate(&shared);
    if std::env::args().any(|a| a == "--check") {
        let current = std::fs::read_to_string(&target).unwrap_or_default();
        if current != text {
            eprintln!("{} differs from the generator's output", target.display());
            std::process::exit(1);
        }
        println!("{} is up to date", target.display());
    } else {
        std::fs::write(&target, text).unwrap();
        println!("wrote {}", target.display());
    }
}
