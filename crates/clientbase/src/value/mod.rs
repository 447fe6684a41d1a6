//! Client value: who the best clients are, who is slipping away, and when
//! each one needs to buy again.
//!
//! Every calculation reads order lines as columns (client, date, amount, and
//! product and category where it needs them), taken from a [`Table`](crate::Table)
//! (Arrow from Python or C, a CSV export) or from a [`ClientBase`](crate::ClientBase)'s
//! won deals, and gives back a table with one row per client or per product.
//! Lines are held in compressed columns, never one object per line.
//!
//! - [`Purchases`]: each client's purchases by day, the form the calculations share.
//! - [`fit_clv`], [`clv_table`]: lifetime value from the BG/NBD and Gamma-Gamma
//!   models (probability alive, expected purchases and spend, discounted value);
//!   [`fit_pareto_nbd`] for the Pareto/NBD alternative.
//! - [`next_purchases`]: when each client needs to buy again and when to remind them.
//! - [`next_due_dates`], [`recurring_due_dates`]: the next dates recurring deals are due.

mod clv;
mod next_purchase;
mod purchases;
mod recurring;

pub use clv::{
    bg_nbd_log_likelihood, clv_table, fit_clv, fit_pareto_nbd, fit_summary, rfm_summary, BgNbd,
    ClvFit, ClvParams, GammaGamma, ModelFit, ParetoNbd, RfmSummary, TimeUnit,
};
pub use next_purchase::{next_purchases, NextPurchaseMethod, NextPurchaseParams};
pub use purchases::{ClientKeys, Purchases};
pub use recurring::{next_due_dates, recurring_due_dates, RecurringParams};
