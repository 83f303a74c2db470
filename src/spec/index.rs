//! The resolved index: the hierarchy as a tree of indices ([`Index`],
//! its [`Node`]s and [`Indicator`]s), each node's [`Aggregation`]. What
//! [`resolve`](fn@super::resolve) makes of a spec and every later step reads.

use super::model::*;
use crate::input::Base;
use serde::Serialize;

/// A resolved aggregation method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Aggregation {
    /// Weighted arithmetic mean.
    Arithmetic,
    /// Weighted geometric mean (children must be > 0).
    Geometric,
    /// Weighted harmonic mean (children must be > 0).
    Harmonic,
    /// Weighted power mean with exponent `p` (p < 0: children > 0; p > 0: >= 0).
    Generalised {
        /// The exponent.
        p: f64,
    },
    /// Mazziotta-Pareto index: M - S * cv.
    MazziottaPareto,
    /// Weighted sum of present children (no re-normalisation).
    Sum,
    /// Copeland scores (COINr's `a_copeland`): each unit against every
    /// ranked unit, by the weighted majority of the children on which it
    /// is better; +1 for a win, -1 for a loss, 0 for a draw. A score that
    /// depends on every unit, computed a node at a time.
    Copeland,
    /// Mean-min function (Casadio Tarabusi & Guarini 2013): the weighted
    /// mean M penalised by the gap to the worst child m,
    /// `M - alpha (sqrt((M - m)^2 + beta^2) - beta)`.
    MeanMin {
        /// Penalty weight, 0-1 (0: the mean; 1 with beta = 0: the minimum).
        alpha: f64,
        /// Smoothing, >= 0.
        beta: f64,
    },
    /// Benefit of the Doubt (Cherchye et al. 2007): each unit's score is
    /// the largest weighted sum its own weights can give while no
    /// reference unit scores above 1 with them; a linear programme per
    /// unit, computed a node at a time. The spec's weights are not used.
    Bod(BodBounds),
}

impl Aggregation {
    /// The spec name of the method.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Arithmetic => "arithmetic",
            Aggregation::Geometric => "geometric",
            Aggregation::Harmonic => "harmonic",
            Aggregation::Generalised { .. } => "generalised",
            Aggregation::MazziottaPareto => "mazziotta_pareto",
            Aggregation::Sum => "sum",
            Aggregation::MeanMin { .. } => "mean_min",
            Aggregation::Copeland => "copeland",
            Aggregation::Bod(_) => "bod",
        }
    }
}

/// A child of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Member {
    /// An indicator, by index into [`Index::indicators`].
    Indicator(usize),
    /// A node, by index into [`Index::nodes`].
    Node(usize),
}

/// A node of the hierarchy (the root is `nodes[0]`).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Node id.
    pub id: String,
    /// Display name.
    pub label: String,
    /// Parent node (None for the root).
    #[serde(skip)]
    pub parent: Option<usize>,
    /// Weight among its siblings, as written.
    pub weight: f64,
    /// Aggregation of its children.
    pub aggregation: Aggregation,
    /// Minimum share of its indicators a unit needs.
    pub min_coverage: Option<f64>,
    /// Children in spec order.
    #[serde(skip)]
    pub children: Vec<Member>,
    /// All indicators below it.
    #[serde(skip)]
    pub indicators: Vec<usize>,
    /// 0 for the root.
    pub depth: usize,
}

/// A resolved indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    /// Indicator id.
    pub id: String,
    /// Source column in the data.
    pub column: String,
    /// Display name.
    pub label: String,
    /// +1 or -1.
    pub direction: f64,
    /// Parent node.
    #[serde(skip)]
    pub parent: usize,
    /// Weight among its siblings, as written.
    pub weight: f64,
    /// Transform before normalisation.
    pub transform: Transform,
    /// Denominator column (per capita...).
    pub denominator: Option<String>,
    /// Multiplier after dividing by the denominator.
    pub per: f64,
    /// Normalisation.
    pub normalisation: Normalisation,
    /// Missing-value method.
    pub missing: MissingMethod,
    /// Outlier treatment.
    pub treatment: Treatment,
}

/// A checked index: hierarchy, indicators and the spec's other sections.
#[derive(Debug, Clone)]
pub struct Index {
    /// The spec's name (path) for messages.
    pub spec_name: String,
    /// The spec text (provenance).
    pub spec_text: String,
    /// Where relative paths resolve.
    pub base: Base,
    /// The spec as written.
    pub spec: SpecFile,
    /// Nodes; `nodes[0]` is the root.
    pub nodes: Vec<Node>,
    /// Indicators in spec order.
    pub indicators: Vec<Indicator>,
    /// Node indices, deepest first (children before parents).
    pub bottom_up: Vec<usize>,
    /// How each node's children got their weights (node order).
    pub weighting: Vec<super::weighting::WeightOrigin>,
}

impl Index {
    /// Every node's id, comma-separated (for messages).
    pub(crate) fn node_ids(&self) -> String {
        self.nodes
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The root node (always node 0).
    pub fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// Every indicator, depth first from the root (children in spec
    /// order): each node's indicators next to each other.
    pub fn indicators_in_tree_order(&self) -> Vec<usize> {
        fn walk(index: &Index, node: usize, out: &mut Vec<usize>) {
            for m in &index.nodes[node].children {
                match m {
                    Member::Indicator(i) => out.push(*i),
                    Member::Node(c) => walk(index, *c, out),
                }
            }
        }
        let mut out = Vec::with_capacity(self.indicators.len());
        walk(self, 0, &mut out);
        out
    }

    /// The nodes right under the root (the index's dimensions), in spec
    /// order.
    pub fn dimensions(&self) -> Vec<usize> {
        self.root()
            .children
            .iter()
            .filter_map(|m| match m {
                Member::Node(n) => Some(*n),
                Member::Indicator(_) => None,
            })
            .collect()
    }

    /// Product of normalised sibling weights from an indicator up to the root:
    /// the indicator's share of the index under arithmetic aggregation.
    pub fn effective_weight(&self, indicator: usize) -> f64 {
        let ind = &self.indicators[indicator];
        let mut w = ind.weight / self.sibling_weight_sum(ind.parent);
        let mut node = ind.parent;
        while let Some(parent) = self.nodes[node].parent {
            w *= self.nodes[node].weight / self.sibling_weight_sum(parent);
            node = parent;
        }
        w
    }

    /// Sum of the weights of a node's children.
    pub fn sibling_weight_sum(&self, node: usize) -> f64 {
        self.nodes[node]
            .children
            .iter()
            .map(|m| self.member_weight(*m))
            .sum()
    }

    /// The weight of a member.
    pub fn member_weight(&self, m: Member) -> f64 {
        match m {
            Member::Indicator(i) => self.indicators[i].weight,
            Member::Node(n) => self.nodes[n].weight,
        }
    }

    /// The id of a member.
    pub fn member_id(&self, m: Member) -> &str {
        match m {
            Member::Indicator(i) => &self.indicators[i].id,
            Member::Node(n) => &self.nodes[n].id,
        }
    }

    /// A node's index by id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}
