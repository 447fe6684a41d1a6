//! Each client's purchases, one per day, in compressed columns.

use crate::table::{Column, TextValues};
use crate::{Currency, Error, ErrorKind, Result};

/// The keys clients are known by in a set of [`Purchases`]: the ids of a
/// base (or an integer column), or the texts of a text column (a 1C client
/// code or name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKeys {
    /// Integer ids.
    Ids(Vec<u64>),
    /// Text keys.
    Texts(TextValues),
}

impl ClientKeys {
    /// How many clients.
    pub fn len(&self) -> usize {
        match self {
            ClientKeys::Ids(ids) => ids.len(),
            ClientKeys::Texts(texts) => texts.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys as a column named `name`, in client order.
    pub fn column(&self, name: &str) -> Column {
        match self {
            ClientKeys::Ids(ids) => Column::from_uint64s(name, ids.iter().map(|&id| Some(id))),
            ClientKeys::Texts(texts) => Column::from_texts(name, texts.iter().map(Some)),
        }
    }

    /// The keys of the clients at `rows`, in that order, as a column named `name`.
    pub fn column_of(&self, name: &str, rows: &[usize]) -> Column {
        match self {
            ClientKeys::Ids(ids) => Column::from_uint64s(name, rows.iter().map(|&i| Some(ids[i]))),
            ClientKeys::Texts(texts) => {
                Column::from_texts(name, rows.iter().map(|&i| Some(texts.get(i))))
            }
        }
    }
}

/// Each client's purchases: one purchase is everything a client bought on one
/// day (the day's lines summed). Client `i`'s purchases are
/// `offsets[i]..offsets[i + 1]`, their days ascending.
///
/// Days count from 1970-01-01 ([`crate::table::date_to_days`]); amounts are
/// exact minor units of one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchases {
    clients: ClientKeys,
    offsets: Vec<usize>,
    days: Vec<i32>,
    amounts: Vec<i64>,
    quantities: Option<Vec<i64>>,
    products: Option<TextValues>,
    currency: Currency,
}

impl Purchases {
    /// Purchases from their parts. Fails when the offsets do not start at 0,
    /// go down, or do not end at the number of days; when the days and amounts
    /// differ in length; or when a client's days are not strictly ascending.
    pub fn new(
        clients: ClientKeys,
        offsets: Vec<usize>,
        days: Vec<i32>,
        amounts: Vec<i64>,
        currency: Currency,
    ) -> Result<Purchases> {
        let bad = |reason: String| Err(Error::new(ErrorKind::InvalidValue, reason));
        if offsets.len() != clients.len() + 1 || offsets[0] != 0 {
            return bad(format!(
                "purchases: {} offsets for {} clients (want clients + 1, starting at 0)",
                offsets.len(),
                clients.len()
            ));
        }
        if days.len() != amounts.len() || offsets[offsets.len() - 1] != days.len() {
            return bad(format!(
                "purchases: {} days, {} amounts, offsets end at {}",
                days.len(),
                amounts.len(),
                offsets[offsets.len() - 1]
            ));
        }
        for (client, w) in offsets.windows(2).enumerate() {
            if w[1] < w[0] {
                return bad(format!("purchases: offsets go down at client {client}"));
            }
            if days[w[0]..w[1]].windows(2).any(|d| d[1] <= d[0]) {
                return bad(format!(
                    "purchases: client {client}'s days are not strictly ascending"
                ));
            }
        }
        Ok(Purchases {
            clients,
            offsets,
            days,
            amounts,
            quantities: None,
            products: None,
            currency,
        })
    }

    /// With the quantity bought in each purchase, in thousandths of a unit
    /// (see [`crate::Quantity`]). Fails when the lengths differ.
    pub fn with_quantities(mut self, quantities: Vec<i64>) -> Result<Purchases> {
        if quantities.len() != self.days.len() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "purchases: {} quantities for {} purchases",
                    quantities.len(),
                    self.days.len()
                ),
            ));
        }
        self.quantities = Some(quantities);
        Ok(self)
    }

    /// Keyed by client and product: key `i` is client `clients[i]`'s purchases
    /// of `products[i]` (so a client may appear once per product). Fails when
    /// the lengths differ.
    pub fn with_products(mut self, products: TextValues) -> Result<Purchases> {
        if products.len() != self.clients.len() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "purchases: {} products for {} keys",
                    products.len(),
                    self.clients.len()
                ),
            ));
        }
        self.products = Some(products);
        Ok(self)
    }

    /// Each purchase's quantity in thousandths of a unit, when known.
    pub fn quantities(&self) -> Option<&[i64]> {
        self.quantities.as_deref()
    }

    /// Client `i`'s purchase quantities, when known.
    pub fn client_quantities(&self, i: usize) -> Option<&[i64]> {
        let q = self.quantities.as_deref()?;
        Some(&q[self.offsets[i]..self.offsets[i + 1]])
    }

    /// The product of each key, when purchases are keyed by client and product.
    pub fn products(&self) -> Option<&TextValues> {
        self.products.as_ref()
    }

    /// How many clients.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether there are no clients.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The clients' keys, in client order.
    pub fn clients(&self) -> &ClientKeys {
        &self.clients
    }

    /// Client `i`'s purchase days (ascending) and amounts.
    pub fn client(&self, i: usize) -> (&[i32], &[i64]) {
        let range = self.offsets[i]..self.offsets[i + 1];
        (&self.days[range.clone()], &self.amounts[range])
    }

    /// The currency of every amount.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// How many purchases in all.
    pub fn purchase_count(&self) -> usize {
        self.days.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_its_parts() {
        let keys = ClientKeys::Ids(vec![7, 9]);
        let ok = Purchases::new(
            keys.clone(),
            vec![0, 2, 3],
            vec![1, 5, 3],
            vec![10, 20, 30],
            Currency::RUB,
        )
        .unwrap();
        assert_eq!(ok.client(0), (&[1, 5][..], &[10, 20][..]));
        assert_eq!(ok.client(1), (&[3][..], &[30][..]));
        assert!(Purchases::new(
            keys.clone(),
            vec![0, 2],
            vec![1, 5],
            vec![1, 2],
            Currency::RUB
        )
        .is_err());
        assert!(Purchases::new(
            keys.clone(),
            vec![0, 2, 3],
            vec![5, 1, 3],
            vec![1, 2, 3],
            Currency::RUB
        )
        .is_err());
        assert!(Purchases::new(
            keys,
            vec![0, 2, 3],
            vec![1, 5, 3],
            vec![1, 2],
            Currency::RUB
        )
        .is_err());
    }
}
