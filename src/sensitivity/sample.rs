//! Sampling (kept apart from analysis, as in SALib): turning uniform numbers
//! or a random stream into a [`Draw`] (weights and discrete levels), and the
//! Saltelli design for Sobol indices.

use super::model::{FactorKind, UncertaintyModel};
use super::rng::Rng;
use crate::spec::{SobolDesign, WeightMethod};

/// One run's inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draw {
    /// Flat weights (layout of [`super::model::WeightLayout`]).
    pub weights: Vec<f64>,
    /// Level of every factor (0 for weight factors).
    pub levels: Vec<usize>,
}

impl Draw {
    /// The nominal draw: nominal weights, every factor at level 0.
    pub fn nominal(model: &UncertaintyModel) -> Draw {
        Draw {
            weights: model.layout.nominal.clone(),
            levels: vec![0; model.factors.len()],
        }
    }
}

/// Perturbs the weights of one node in place from `u` (uniforms) or `rng`
/// (Dirichlet), keeping their nominal sum.
fn perturb(
    method: WeightMethod,
    spread: f64,
    concentration: f64,
    w: &mut [f64],
    u: &[f64],
    rng: Option<&mut Rng>,
) {
    let total: f64 = w.iter().sum();
    match method {
        WeightMethod::None => return,
        WeightMethod::Uniform => {
            for (x, ui) in w.iter_mut().zip(u) {
                *x *= 1.0 - spread + 2.0 * spread * ui;
            }
        }
        WeightMethod::Simplex => {
            // Spacings of sorted uniforms are uniform on the simplex.
            let mut cuts: Vec<f64> = u.to_vec();
            cuts.sort_by(f64::total_cmp);
            let mut prev = 0.0;
            for (j, x) in w.iter_mut().enumerate() {
                let next = if j < cuts.len() { cuts[j] } else { 1.0 };
                *x = next - prev;
                prev = next;
            }
        }
        WeightMethod::Dirichlet => {
            let rng = rng.expect("dirichlet draws need a random stream");
            for x in w.iter_mut() {
                *x = if *x > 0.0 {
                    rng.gamma(concentration * *x / total)
                } else {
                    0.0
                };
            }
        }
    }
    let now: f64 = w.iter().sum();
    if now > 0.0 {
        let scale = total / now;
        for x in w.iter_mut() {
            *x *= scale;
        }
    }
}

/// Maps uniform numbers (`model.dims()` of them, factor by factor) to a draw.
pub fn draw_from_uniforms(model: &UncertaintyModel, u: &[f64]) -> Draw {
    let mut draw = Draw::nominal(model);
    draw_with(model, u, None, &mut draw);
    draw
}

/// Sets `draw` (any earlier draw of the model: its buffers are reused) to
/// the draw of uniforms `u` (and `rng` for Dirichlet weights).
fn draw_with(model: &UncertaintyModel, u: &[f64], mut rng: Option<&mut Rng>, draw: &mut Draw) {
    draw.weights.clear();
    draw.weights.extend_from_slice(&model.layout.nominal);
    draw.levels.clear();
    draw.levels.resize(model.factors.len(), 0);
    let mut at = 0;
    // A scenario sets the base weights before perturbation.
    for (f, factor) in model.factors.iter().enumerate() {
        if let FactorKind::Scenario {
            weights,
            with_nominal,
            ..
        } = &factor.kind
        {
            let offset: usize = model.factors[..f].iter().map(|x| x.dims).sum();
            let level = level_of(u[offset], factor.levels());
            draw.levels[f] = level;
            match (with_nominal, level) {
                (true, 0) => {}
                (true, l) => draw.weights.copy_from_slice(&weights[l - 1]),
                (false, l) => draw.weights.copy_from_slice(&weights[l]),
            }
        }
    }
    for (f, factor) in model.factors.iter().enumerate() {
        let slice = &u[at..at + factor.dims];
        at += factor.dims;
        match &factor.kind {
            FactorKind::Weights { nodes } => {
                let mut k = 0;
                for &n in nodes {
                    let r = model.layout.range(n);
                    let d = UncertaintyModel::node_dims(model.weight_method, r.len());
                    perturb(
                        model.weight_method,
                        model.spread,
                        model.concentration,
                        &mut draw.weights[r],
                        &slice[k..k + d],
                        rng.as_deref_mut(),
                    );
                    k += d;
                }
            }
            FactorKind::Scenario { .. } => {}
            _ => draw.levels[f] = level_of(slice[0], factor.levels()),
        }
    }
}

fn level_of(u: f64, levels: usize) -> usize {
    ((u * levels as f64) as usize).min(levels - 1)
}

/// One Monte Carlo draw from a random stream.
pub fn draw_mc(model: &UncertaintyModel, rng: &mut Rng) -> Draw {
    let mut draw = Draw::nominal(model);
    draw_mc_into(model, rng, &mut Vec::new(), &mut draw);
    draw
}

/// [`draw_mc`] into an earlier draw's buffers (`u` holds the uniforms):
/// no allocation once the buffers have their size.
pub fn draw_mc_into(model: &UncertaintyModel, rng: &mut Rng, u: &mut Vec<f64>, draw: &mut Draw) {
    u.resize(model.dims(), 0.0);
    rng.fill_uniform(u);
    let rng = (model.weight_method == WeightMethod::Dirichlet).then_some(rng);
    draw_with(model, u, rng, draw);
}

/// The Monte Carlo draws of a chunk into `draws` (earlier draws of the
/// model: their buffers are reused), one after the other from `rng`, as
/// [`draw_mc_into`] makes them (`u` holds the uniforms). When every factor
/// perturbs weights uniformly (no choice, no scenario), eight draws at a
/// time side by side in lanes (vectorised; the same operations in the same
/// order for each draw, so the same draws bit for bit).
pub fn draw_mc_chunk(
    model: &UncertaintyModel,
    rng: &mut Rng,
    u: &mut Vec<f64>,
    draws: &mut [Draw],
) {
    let lanes_apply = model.weight_method == WeightMethod::Uniform
        && model
            .factors
            .iter()
            .all(|f| matches!(f.kind, FactorKind::Weights { .. }));
    if !lanes_apply {
        for d in draws.iter_mut() {
            draw_mc_into(model, rng, u, d);
        }
        return;
    }
    u.resize(draws.len() * model.dims(), 0.0);
    rng.fill_uniform(u);
    uniform_draws(model, u, draws);
}

/// Draws per run in lanes.
const DRAW_LANES: usize = 8;

crate::cpu::multiversion! {
    /// The draws of [`draw_mc_chunk`] with uniform weights only, from the
    /// uniforms `u` (`model.dims()` per draw, draw after draw): each node's
    /// weights as [`perturb`] sets them, [`DRAW_LANES`] draws at a time.
    fn uniform_draws(model: &UncertaintyModel, u: &[f64], draws: &mut [Draw]) {
        const L: usize = DRAW_LANES;
        let spread = model.spread;
        uniform_draws_by(model, u, draws, |w0, total, uniforms, node| {
            let mut now = [-0.0f64; L];
            for ((row, ui), &x) in node.iter_mut().zip(uniforms).zip(w0) {
                for l in 0..L {
                    row[l] = x * (1.0 - spread + 2.0 * spread * ui[l]);
                    now[l] += row[l];
                }
            }
            // Rescaled to the nominal sum (times 1, exactly the same, where
            // the sum is not positive).
            let scale: [f64; L] =
                std::array::from_fn(|l| if now[l] > 0.0 { total / now[l] } else { 1.0 });
            for row in node.iter_mut() {
                for l in 0..L {
                    row[l] *= scale[l];
                }
            }
        });
    }
}

/// What [`uniform_draws`] and its vector versions share: each group of
/// [`DRAW_LANES`] draws set to the nominal weights, then node by node
/// `weigh(w0, total, uniforms, node)` sets the node's weights (a row of
/// lanes per child) from its nominal weights `w0`, their sum and the
/// draws' uniforms (a row of lanes per child), and they are written back.
#[inline(always)]
fn uniform_draws_by(
    model: &UncertaintyModel,
    u: &[f64],
    draws: &mut [Draw],
    mut weigh: impl FnMut(&[f64], f64, &[[f64; DRAW_LANES]], &mut [[f64; DRAW_LANES]]),
) {
    const L: usize = DRAW_LANES;
    let (dims, nominal) = (model.dims(), &model.layout.nominal);
    let (mut node, mut uniforms) = (Vec::new(), Vec::new());
    for (g, group) in draws.chunks_mut(L).enumerate() {
        for d in group.iter_mut() {
            d.weights.clear();
            d.weights.extend_from_slice(nominal);
            d.levels.clear();
            d.levels.resize(model.factors.len(), 0);
        }
        let mut at = 0;
        for factor in &model.factors {
            let FactorKind::Weights { nodes } = &factor.kind else {
                unreachable!("weight factors only")
            };
            for &n in nodes {
                let range = model.layout.range(n);
                let w0 = &nominal[range.clone()];
                let total: f64 = w0.iter().sum();
                uniform_lanes(u, (g * L * dims + at, dims), w0.len(), &mut uniforms);
                node.clear();
                node.resize(w0.len(), [0.0f64; L]);
                weigh(w0, total, &uniforms, &mut node);
                from_lanes(&node, group, range);
                at += UncertaintyModel::node_dims(model.weight_method, w0.len());
            }
        }
    }
}

/// The uniforms of `children` children as rows of lanes: child c's of lane
/// l at `first + l * stride + c` of `u` (any uniform past its end: lanes
/// past the draws). Without target features, so that the compiler keeps
/// plain loads (not gathers).
#[inline(never)]
fn uniform_lanes(
    u: &[f64],
    (first, stride): (usize, usize),
    children: usize,
    rows: &mut Vec<[f64; DRAW_LANES]>,
) {
    rows.clear();
    rows.extend((0..children).map(|c| -> [f64; DRAW_LANES] {
        std::array::from_fn(|l| u.get(first + l * stride + c).copied().unwrap_or(0.5))
    }));
}

/// Lane l of each row of `node` into draw l's weights `range`. Without
/// target features, so that the compiler keeps plain stores (not
/// scatters).
#[inline(never)]
fn from_lanes(node: &[[f64; DRAW_LANES]], group: &mut [Draw], range: std::ops::Range<usize>) {
    for (l, d) in group.iter_mut().enumerate() {
        for (w, row) in d.weights[range.clone()].iter_mut().zip(node) {
            *w = row[l];
        }
    }
}

/// The Saltelli base matrices A and B (N rows of `dims` uniforms each).
pub fn saltelli_base(
    n: usize,
    dims: usize,
    design: SobolDesign,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    match design {
        SobolDesign::Sobol => {
            let s = (seed ^ (seed >> 32)) as u32;
            let point = |i: usize, d: usize| sobol_burley::sample(i as u32, d as u32, s) as f64;
            let a = (0..n)
                .map(|i| (0..dims).map(|d| point(i, d)).collect())
                .collect();
            let b = (0..n)
                .map(|i| (0..dims).map(|d| point(i, dims + d)).collect())
                .collect();
            (a, b)
        }
        SobolDesign::Random => {
            let mut rng = Rng::new(seed, u64::MAX);
            let mut m = || {
                (0..n)
                    .map(|_| (0..dims).map(|_| rng.uniform()).collect())
                    .collect::<Vec<Vec<f64>>>()
            };
            let a = m();
            let b = m();
            (a, b)
        }
    }
}

/// Row `A` with the columns of factor group `range` taken from `B`.
pub fn ab_row(a: &[f64], b: &[f64], range: std::ops::Range<usize>) -> Vec<f64> {
    let mut row = a.to_vec();
    row[range.clone()].copy_from_slice(&b[range]);
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_perturbation_by_hand() {
        let mut w = vec![1.0, 3.0];
        perturb(WeightMethod::Uniform, 0.5, 1.0, &mut w, &[0.0, 1.0], None);
        // 0.5 and 4.5, rescaled to sum 4: 0.4 and 3.6.
        assert!(
            (w[0] - 0.4).abs() < 1e-12 && (w[1] - 3.6).abs() < 1e-12,
            "{w:?}"
        );
        let mut w = vec![1.0, 3.0];
        perturb(WeightMethod::Uniform, 0.0, 1.0, &mut w, &[0.3, 0.9], None);
        assert_eq!(w, vec![1.0, 3.0], "zero spread is exactly nominal");
    }

    #[test]
    fn simplex_spacings_sum_to_the_total() {
        let mut w = vec![1.0, 1.0, 2.0];
        perturb(WeightMethod::Simplex, 0.0, 1.0, &mut w, &[0.75, 0.25], None);
        assert!(
            (w[0] - 1.0).abs() < 1e-12 && (w[1] - 2.0).abs() < 1e-12 && (w[2] - 1.0).abs() < 1e-12,
            "{w:?}"
        );
    }

    #[test]
    fn dirichlet_centres_on_nominal_shares() {
        let mut rng = Rng::new(3, 0);
        let mut mean = [0.0; 2];
        let n = 20_000;
        for _ in 0..n {
            let mut w = vec![1.0, 3.0];
            perturb(
                WeightMethod::Dirichlet,
                0.0,
                50.0,
                &mut w,
                &[],
                Some(&mut rng),
            );
            mean[0] += w[0] / n as f64;
            mean[1] += w[1] / n as f64;
        }
        assert!(
            (mean[0] - 1.0).abs() < 0.02 && (mean[1] - 3.0).abs() < 0.02,
            "{mean:?}"
        );
    }

    /// A chunk's draws made eight at a time in lanes are the draws made
    /// one by one, bit for bit (W1: uniform weights only; whole and partial
    /// groups of lanes), and the stream goes on from the same point.
    #[test]
    fn chunk_draws_equal_one_by_one_draws() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
        let text = std::fs::read_to_string(dir.join("w1.toml")).unwrap();
        let loaded =
            crate::spec::parse_spec(&text, "w1.toml", crate::spec::Base::Dir(dir)).unwrap();
        let index = crate::spec::resolve(&loaded).unwrap();
        let o = super::super::model::Overrides::default();
        let nominal = crate::pipeline::run_index(&index, &Default::default()).unwrap();
        let model = super::super::model::resolve_model(&nominal, &o).unwrap();
        for count in [1, 7, 8, 9, 64, 1024] {
            let (mut a, mut b) = (Rng::new(5, count as u64), Rng::new(5, count as u64));
            let mut u = Vec::new();
            let mut chunk: Vec<Draw> = (0..count).map(|_| Draw::nominal(&model)).collect();
            draw_mc_chunk(&model, &mut a, &mut u, &mut chunk);
            let one_by_one: Vec<Draw> = (0..count).map(|_| draw_mc(&model, &mut b)).collect();
            let bits = |d: &[Draw]| -> Vec<u64> {
                d.iter()
                    .flat_map(|d| d.weights.iter().map(|x| x.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&chunk), bits(&one_by_one), "{count} draws");
            // Each version on its own (draw_mc_chunk takes the widest).
            let mut again = chunk.clone();
            for isa in crate::cpu::available() {
                crate::cpu::force(Some(isa));
                uniform_draws(&model, &u, &mut again);
                crate::cpu::force(None);
                assert_eq!(bits(&again), bits(&one_by_one), "{isa:?}, {count} draws");
            }
            assert!(
                chunk
                    .iter()
                    .zip(&one_by_one)
                    .all(|(x, y)| x.levels == y.levels)
            );
            assert_eq!(a.next_u64(), b.next_u64(), "the stream goes on alike");
        }
    }

    #[test]
    fn levels_cover_all_options() {
        assert_eq!(level_of(0.0, 3), 0);
        assert_eq!(level_of(0.34, 3), 1);
        assert_eq!(level_of(0.999999, 3), 2);
        assert_eq!(level_of(1.0, 3), 2);
    }

    #[test]
    fn sobol_points_are_in_the_unit_cube_and_reproducible() {
        let (a, b) = saltelli_base(64, 3, SobolDesign::Sobol, 9);
        let (a2, _) = saltelli_base(64, 3, SobolDesign::Sobol, 9);
        assert_eq!(a, a2);
        assert!(
            a.iter()
                .chain(&b)
                .flatten()
                .all(|&x| (0.0..1.0).contains(&x))
        );
        // Stratified: each half of [0, 1) gets exactly half of 64 points.
        assert_eq!(a.iter().filter(|r| r[0] < 0.5).count(), 32);
    }
}
