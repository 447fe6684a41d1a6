//! Client value: who the best clients are, who is slipping away, and when
//! each one needs to buy again.
//!
//! Every calculation reads order lines as columns (client, date, amount, and
//! product and category where it needs them), taken from a [`Table`](crate::Table)
//! (Arrow from Python or C, a CSV export) or from a [`ClientBase`](crate::ClientBase)'s
//! won deals, and gives back a table with one row per client or per product.
//! Lines are held in compressed columns, never one object per line.
//!
//! - [`Orders`]: order lines read from a table, a CSV export or a base
//!   ([`OrderSource`] names the columns); lines that cannot be read are
//!   listed as [`TableProblem`](crate::TableProblem)s on every result.
//! - [`Purchases`]: each client's purchases by day, the form the calculations share.
//! - [`rfm()`]: recency, frequency and monetary scores and named segments.
//! - [`abc()`], [`xyz()`], [`abc_xyz()`]: classes by share of revenue and by
//!   the regularity of sales.

mod abc;
mod orders;
mod purchases;
mod rfm;

pub use abc::{
    abc, abc_of, abc_xyz, abc_xyz_of, xyz, xyz_of, AbcBy, AbcMode, AbcParams, AbcXyzParams,
    Measure, XyzParams, XyzPeriod,
};
pub use orders::{Coded, OrderSource, Orders};
pub use purchases::{ClientKeys, Purchases};
pub use rfm::{rfm, rfm_of, RfmBins, RfmParams, RfmScores, SegmentRule, DEFAULT_SEGMENTS};
