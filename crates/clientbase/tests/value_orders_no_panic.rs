//! Order lines are user input: any CSV text and any text cells read into
//! order lines, RFM and ABC without a panic, and every line is either kept
//! or reported.

#![cfg(feature = "csv")]

use clientbase::capability::Rows;
use clientbase::value::{
    abc_of, rfm_of, xyz_of, AbcParams, OrderSource, Orders, RfmParams, XyzParams,
};
use clientbase::{Column, Table};
use proptest::prelude::*;

fn cell() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "\\PC{0,12}".prop_map(Some),
        "[0-9 ,.\\-]{0,12}".prop_map(Some),
        "[0-3]?[0-9]\\.[01]?[0-9]\\.(19|20)?[0-9]{2}( 0:00:00)?".prop_map(Some),
        prop::sample::select(vec![
            "1 234,50",
            "05.03.2024",
            "2024-02-30",
            "-0,01",
            "1e5",
            "₽"
        ])
        .prop_map(|s| Some(s.to_string())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_csv_text_reads_without_panic(text in "[a-z0-9;,.\"\\n \\-]{0,200}", one_c in any::<bool>()) {
        let source = if one_c { OrderSource::one_c() } else { OrderSource::default() };
        let csv = format!("client;date;amount;product\n{text}");
        if let Ok(orders) = Orders::read_csv(csv.as_bytes(), &source, None) {
            let _ = rfm_of(&orders, &RfmParams::default());
            let _ = abc_of(&orders, &AbcParams::default());
            let _ = xyz_of(&orders, &XyzParams::default());
            let _ = orders.purchases();
        }
    }

    #[test]
    fn any_text_cells_are_kept_or_reported(
        rows in prop::collection::vec((cell(), cell(), cell()), 0..30),
    ) {
        let table = Table::new(vec![
            Column::from_texts("client", rows.iter().map(|r| r.0.as_deref())),
            Column::from_texts("date", rows.iter().map(|r| r.1.as_deref())),
            Column::from_texts("amount", rows.iter().map(|r| r.2.as_deref())),
        ]).unwrap();
        let orders = Orders::read(Rows::Table(&table), &OrderSource::default()).unwrap();
        prop_assert_eq!(orders.len() + orders.problems().len(), rows.len());
        let rfm = rfm_of(&orders, &RfmParams::default()).unwrap();
        prop_assert_eq!(rfm.rows(), orders.clients().len());
        let abc = abc_of(&orders, &AbcParams::default()).unwrap();
        prop_assert_eq!(abc.rows(), orders.clients().len());
        let purchases = orders.purchases().unwrap();
        prop_assert_eq!(purchases.len(), orders.clients().len());
    }
}
