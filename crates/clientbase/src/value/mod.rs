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
//! - [`fit_clv`], [`clv_table`] (both from one fit: [`fit_and_table`]):
//!   lifetime value from the BG/NBD and Gamma-Gamma models (probability alive, expected purchases and spend, discounted value);
//!   [`fit_pareto_nbd`] for the Pareto/NBD alternative.
//! - [`next_purchases`]: when each client needs to buy again and when to remind them.
//! - [`next_due_dates`], [`recurring_due_dates`]: the next dates recurring deals are due.

mod abc;
mod clv;
mod next_purchase;
pub(crate) mod orders;
mod purchases;
mod recurring;
mod rfm;

pub use abc::{
    abc, abc_of, abc_xyz, abc_xyz_of, xyz, xyz_of, AbcBy, AbcMode, AbcParams, AbcXyzParams,
    Measure, XyzParams, XyzPeriod,
};
pub use clv::{
    bg_nbd_log_likelihood, clv, clv_fit, clv_table, fit_and_table, fit_clv, fit_pareto_nbd,
    fit_summary, rfm_summary, BgNbd, ClvFit, ClvParams, GammaGamma, ModelFit, ParetoNbd,
    RfmSummary, SummaryFit, TimeUnit,
};
pub use next_purchase::{next_purchase, next_purchases, NextPurchaseMethod, NextPurchaseParams};
pub use orders::{Coded, OrderSource, Orders};
pub use purchases::{ClientKeys, Purchases};
pub use recurring::{next_due_dates, recurring_due_dates, RecurringParams};
pub use rfm::{rfm, rfm_of, RfmBins, RfmParams, RfmScores, SegmentRule, DEFAULT_SEGMENTS};
