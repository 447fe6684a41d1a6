/*
 * Client value from C: order lines given as a table (its JSON form, or Arrow
 * through the C Data Interface) to the `rows` capabilities (`rfm`, `abc`),
 * and the same capabilities on a base's won deals.
 */
#include "testsupport.h"

/* Four clients; revenue 7000, 2000, 700 and 300 rubles (10,000 in all), so
 * the cumulative shares are 70 %, 90 %, 97 % and 100 %. Client 1 bought on
 * two days. */
static const char *ORDERS =
    "{\"columns\":["
    "{\"name\":\"client\",\"type\":\"uint64\",\"values\":[1,1,2,3,4]},"
    "{\"name\":\"date\",\"type\":\"date\",\"values\":"
    "[\"2024-01-10\",\"2024-03-01\",\"2024-02-01\",\"2023-06-01\",\"2024-03-05\"]},"
    "{\"name\":\"amount\",\"type\":\"decimal\",\"scale\":2,\"values\":"
    "[\"5000.00\",\"2000.00\",\"2000.00\",\"700.00\",\"300.00\"]}]}";

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static void test_abc_on_a_json_table(void)
{
    cb_table *orders = NULL;
    CHECK_OK(cb_table_from_json(ORDERS, &orders));
    CHECK(cb_table_rows(orders) == 5);

    /* 95/4/1: clients 1 and 2 (70 %, 90 %) are A, 3 (97 %) B, 4 C. */
    char *json = NULL;
    CHECK_OK(cb_table_call(orders, "abc", "{\"thresholds\":[95,4,1]}", &json));
    CHECK_CONTAINS(json, "{\"name\":\"class\",\"type\":\"text\",\"values\":[\"A\",\"A\",\"B\",\"C\"]}");
    cb_string_free(json);

    /* The default 80/15/5 as a table: 1 A, 2 B, 3 and 4 C. */
    cb_table *classes = NULL;
    CHECK_OK(cb_table_call_table(orders, "abc", NULL, &classes));
    CHECK(cb_table_rows(classes) == 4);
    CHECK_OK(cb_table_to_json(classes, &json));
    CHECK_CONTAINS(json, "\"values\":[\"A\",\"B\",\"C\",\"C\"]");
    cb_string_free(json);
    cb_table_free(classes);

    /* RFM as of 2024-04-01: client 1 bought twice, last on 2024-03-01. */
    CHECK_OK(cb_table_call(orders, "rfm", "{\"as_of\":\"2024-04-01\"}", &json));
    CHECK_CONTAINS(json, "\"name\":\"recency_days\"");
    CHECK_CONTAINS(json, "\"name\":\"segment\"");
    CHECK_CONTAINS(json, "{\"name\":\"frequency\",\"type\":\"int64\",\"values\":[2,");
    cb_string_free(json);

    /* A typo in a key is CB_JSON naming it; so is one in the column names. */
    json = NULL;
    CHECK_STATUS(cb_table_call(orders, "abc", "{\"thresholdz\":[80,15,5]}", &json), CB_JSON);
    CHECK(json == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "thresholdz");
    CHECK_STATUS(cb_table_call(orders, "rfm", "{\"orders\":{\"clinet\":\"x\"}}", &json), CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "clinet");
    /* A column the table lacks is named. */
    CHECK_STATUS(cb_table_call(orders, "rfm", "{\"orders\":{\"client\":\"buyer\"}}", &json),
                 CB_UNKNOWN_FIELD);
    CHECK_CONTAINS(cb_last_error_message(), "buyer");
    /* A capability that does not read rows. */
    CHECK_STATUS(cb_table_call(orders, "counts", NULL, &json), CB_INVALID_VALUE);
    CHECK_STATUS(cb_table_call(orders, "no_such_thing", NULL, &json), CB_INVALID_VALUE);
    /* A report capability asked for a table. */
    cb_table *none = NULL;
    CHECK_STATUS(cb_table_call_table(orders, "counts", NULL, &none), CB_INVALID_VALUE);
    CHECK(none == NULL);

    /* NULL arguments. */
    CHECK_STATUS(cb_table_call(NULL, "abc", NULL, &json), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_table_call(orders, NULL, NULL, &json), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_table_call(orders, "abc", NULL, NULL), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_table_from_json(NULL, &none), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_table_from_json(ORDERS, NULL), CB_NULL_PARAMETER);
    /* A bad JSON form names what is wrong. */
    CHECK_STATUS(cb_table_from_json("{\"columns\":[{\"name\":\"client\",\"type\":\"uint64\","
                                    "\"values\":[1,\"two\"]}]}",
                                    &none),
                 CB_JSON);
    CHECK(none == NULL);
    cb_table_free(orders);
}

static void test_arrow_import(void)
{
    cb_table *orders = NULL;
    CHECK_OK(cb_table_from_json(ORDERS, &orders));
    char *expected = NULL;
    CHECK_OK(cb_table_call(orders, "abc", NULL, &expected));

    /* Arrow out and back in: what a C caller holding Arrow data does. */
    struct ArrowArray array;
    struct ArrowSchema schema;
    CHECK_OK(cb_table_export_arrow(orders, &array, &schema));
    cb_table_free(orders);
    cb_table *imported = NULL;
    CHECK_STATUS(cb_table_import_arrow(NULL, &schema, &imported), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_table_import_arrow(&array, NULL, &imported), CB_NULL_PARAMETER);
    CHECK(array.release != NULL);
    CHECK_OK(cb_table_import_arrow(&array, &schema, &imported));
    /* The array moved into the table; the schema is still the caller's. */
    CHECK(array.release == NULL);
    CHECK(schema.release != NULL);
    schema.release(&schema);
    CHECK(cb_table_rows(imported) == 5);
    char *got = NULL;
    CHECK_OK(cb_table_call(imported, "abc", NULL, &got));
    CHECK_STR(got, expected);
    cb_string_free(got);
    cb_string_free(expected);

    /* A child array alone (not a struct array) is refused, and left to the caller. */
    cb_table *ids = NULL;
    CHECK_OK(cb_table_from_json(
        "{\"columns\":[{\"name\":\"client\",\"type\":\"uint64\",\"values\":[1]}]}", &ids));
    CHECK_OK(cb_table_export_arrow(ids, &array, &schema));
    cb_table_free(ids);
    cb_table *bad = NULL;
    CHECK_STATUS(cb_table_import_arrow(array.children[0], schema.children[0], &bad),
                 CB_INVALID_VALUE);
    CHECK(bad == NULL);
    CHECK(array.children[0]->release != NULL);
    array.release(&array);
    schema.release(&schema);
    cb_table_free(imported);
}

/* A base holding one client, Ольга Смирнова, and one deal of hers: `deal`
 * is the deal's JSON after its client (amount, status, dates, recurrence). */
static cb_base *base_with_deal(const char *deal)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    uint64_t id = 0, deal_id = 0;
    CHECK_OK(cb_base_add_json(base, "client", "{\"surname\":\"Смирнова\",\"given\":\"Ольга\"}", &id));
    char deal_json[512];
    snprintf(deal_json, sizeof deal_json, "{\"client\":%" PRIu64 ",%s}", id, deal);
    CHECK_OK(cb_base_add_json(base, "deal", deal_json, &deal_id));
    return base;
}

static void test_on_a_base(void)
{
    cb_base *base = base_with_deal(
        "\"amount\":{\"amount\":\"4990.00\",\"currency\":\"RUB\"},\"status\":\"won\","
        "\"created_at\":\"2024-02-20T10:00:00Z\",\"closed_at\":\"2024-03-01T12:00:00Z\"");
    /* The base's won deals are the order lines. */
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "rfm", "{\"as_of\":\"2024-04-01\"}", &table));
    CHECK(cb_table_rows(table) == 1);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_CONTAINS(json, "{\"name\":\"recency_days\",\"type\":\"int64\",\"values\":[31]}");
    cb_string_free(json);
    cb_table_free(table);
    cb_base_free(base);
}

/* The water story: five bottles bought on 1 June, one bottle every three
 * days: out of water on day 15 (16 June), reminded two days before. */
static void test_next_purchase(void)
{
    cb_table *orders = NULL;
    CHECK_OK(cb_table_from_json(
        "{\"columns\":[{\"name\":\"client\",\"type\":\"text\",\"values\":[\"Кузнецова\"]},"
        "{\"name\":\"date\",\"type\":\"date\",\"values\":[\"2024-06-01\"]},"
        "{\"name\":\"amount\",\"type\":\"int64\",\"values\":[1500]},"
        "{\"name\":\"quantity\",\"type\":\"int64\",\"values\":[5]}]}",
        &orders));
    char *json = NULL;
    CHECK_OK(cb_table_call(orders, "next_purchase",
                           "{\"method\":\"consumption\",\"days_per_unit\":3,"
                           "\"as_of\":\"2024-06-01\"}",
                           &json));
    CHECK_CONTAINS(json, "{\"name\":\"expected_date\",\"type\":\"date\",\"values\":[\"2024-06-16\"]}");
    CHECK_CONTAINS(json, "{\"name\":\"remind_date\",\"type\":\"date\",\"values\":[\"2024-06-14\"]}");
    cb_string_free(json);
    /* A rate below zero names its key. */
    json = NULL;
    CHECK_STATUS(cb_table_call(orders, "next_purchase",
                               "{\"method\":\"consumption\",\"days_per_unit\":-3}", &json),
                 CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_message(), "days_per_unit");
    cb_table_free(orders);
}

/* Thirty clients buying every 7 to 48 days over a year, every third one
 * stopping after a few months: BG/NBD and Gamma-Gamma fit, and lifetime value
 * per client. */
static void test_lifetime_value(void)
{
    static char text[70 * 1024];
    char clients[16 * 1024] = "", dates[32 * 1024] = "", amounts[16 * 1024] = "";
    size_t nc = 0, nd = 0, na = 0;
    unsigned seed = 7;
    for (int client = 1; client <= 30; client++) {
        int stop = client % 3 == 0 ? 150 : 366;
        for (int day = (int)(seed % 40); day < stop; day += 7 + (int)(seed % 42)) {
            seed = seed * 1103515245u + 12345u;
            int month = 1, left = day;
            static const int days_in[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            while (month <= 12 && left >= days_in[month - 1]) {
                left -= days_in[month - 1];
                month++;
            }
            nc += (size_t)snprintf(clients + nc, sizeof clients - nc, "%s%d", nc ? "," : "", client);
            nd += (size_t)snprintf(dates + nd, sizeof dates - nd, "%s\"2024-%02d-%02d\"",
                                   nd ? "," : "", month, left + 1);
            na += (size_t)snprintf(amounts + na, sizeof amounts - na, "%s%u", na ? "," : "",
                                   500 + seed % 4500);
        }
    }
    snprintf(text, sizeof text,
             "{\"columns\":[{\"name\":\"client\",\"type\":\"uint64\",\"values\":[%s]},"
             "{\"name\":\"date\",\"type\":\"date\",\"values\":[%s]},"
             "{\"name\":\"amount\",\"type\":\"int64\",\"values\":[%s]}]}",
             clients, dates, amounts);
    cb_table *orders = NULL;
    CHECK_OK(cb_table_from_json(text, &orders));
    char *json = NULL;
    CHECK_OK(cb_table_call(orders, "clv_fit", "{\"as_of\":\"2025-01-01\"}", &json));
    CHECK_CONTAINS(json, "\"bg_nbd\":{");
    CHECK_CONTAINS(json, "\"log_likelihood\":-");
    CHECK_CONTAINS(json, "\"gamma_gamma\":{");
    cb_string_free(json);
    cb_table *values = NULL;
    CHECK_OK(cb_table_call_table(orders, "clv", "{\"as_of\":\"2025-01-01\"}", &values));
    CHECK(cb_table_rows(values) == 30);
    CHECK_OK(cb_table_to_json(values, &json));
    CHECK_CONTAINS(json, "\"name\":\"p_alive\"");
    CHECK_CONTAINS(json, "\"name\":\"clv\",\"scale\":2,\"type\":\"decimal\"");
    cb_string_free(json);
    cb_table_free(values);
    json = NULL;
    CHECK_STATUS(cb_table_call(orders, "clv", "{\"discount_rat\":0.01}", &json), CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "discount_rat");
    cb_table_free(orders);
}

/* A monthly delivery on the 31st: due on the last day of shorter months. */
static void test_recurring_due_dates(void)
{
    cb_base *base = base_with_deal(
        "\"amount\":{\"amount\":\"1500.00\",\"currency\":\"RUB\"},"
        "\"created_at\":\"2025-01-15T09:00:00Z\","
        "\"recurrence\":{\"every\":1,\"period\":\"month\",\"day\":31}");
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "recurring_due_dates", "{\"as_of\":\"2025-03-01\",\"count\":2}",
                          &json));
    CHECK_CONTAINS(json, "{\"name\":\"due_date\",\"type\":\"date\",\"values\":[\"2025-03-31\","
                         "\"2025-04-30\"]}");
    cb_string_free(json);
    cb_base_free(base);
}

int main(void)
{
    test_abc_on_a_json_table();
    test_arrow_import();
    test_on_a_base();
    test_next_purchase();
    test_lifetime_value();
    test_recurring_due_dates();
    return ts_finish();
}
