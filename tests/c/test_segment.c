/*
 * Segments from C: rules as text or JSON through the generic bridge
 * (`cb_base_call_table` for the matching ids, `cb_base_call` for the
 * explanation and sizes, `cb_call` to convert a rule), and rules of any size
 * refused with a status, never a crash.
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

/* Three buyers of flats: rooms and floors are custom fields; the first two
 * want two rooms on a low floor, only the first consented to SMS. The third
 * bought a flat for 5 000 000 ₽ on 10 March 2024. */
static cb_base *flats(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{\"tags\":[\"vip\"],\"fields\":["
                         "{\"name\":\"rooms\",\"type\":\"integer\"},"
                         "{\"name\":\"floors\",\"type\":\"many_of\","
                         "\"options\":[\"low\",\"middle\",\"high\"]}]}",
                         &base));
    uint64_t id = 0, deal = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"custom\":{\"rooms\":2,\"floors\":[\"low\"]},"
        "\"consents\":{\"marketing\":{\"sms\":{\"state\":\"given\",\"date\":\"2024-01-10\"}}}}",
        &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Иванов\",\"given\":\"Иван\",\"custom\":{\"rooms\":2,\"floors\":[\"low\"]}}",
        &id));
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"surname\":\"Петров\",\"given\":\"Пётр\",\"tags\":[\"vip\"]}", &id));
    CHECK_OK(cb_base_add_json(base, "deal",
                                   "{\"client\":3,\"amount\":{\"amount\":\"5000000.00\","
                                   "\"currency\":\"RUB\"},\"status\":\"won\","
                                   "\"closed_at\":\"2024-03-10T10:00:00Z\"}",
                                   &deal));
    return base;
}

static void test_segment_table(void)
{
    cb_base *base = flats();
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "segment",
                                "{\"rule\":\"floors contains low and rooms = 2 and consent смс\","
                                "\"as_of\":\"2024-06-30\"}",
                                &table));
    CHECK(cb_table_rows(table) == 1);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_STR(json, "{\"columns\":[{\"name\":\"client\",\"type\":\"uint64\",\"values\":[1]}],"
                    "\"rows\":1}");
    cb_string_free(json);
    cb_table_free(table);

    /* The JSON form, with a named segment given as text. */
    CHECK_OK(cb_base_call(base, "segment",
                          "{\"rule\":{\"version\":1,\"rule\":{\"any\":[{\"segment\":\"big\"},"
                          "{\"compare\":{\"field\":\"rooms\",\"op\":\"eq\",\"value\":2}}]}},"
                          "\"segments\":{\"big\":\"sum(purchases where date within last 2 "
                          "years) > 4999999.99\"},\"as_of\":\"2024-06-30\"}",
                          &json));
    CHECK_CONTAINS(json, "\"values\":[1,2,3]");
    cb_string_free(json);
    cb_base_free(base);
}

static void test_explain_and_sizes(void)
{
    cb_base *base = flats();
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "segment_explain",
                          "{\"client\":2,\"rule\":\"rooms = 2 and consent sms\","
                          "\"as_of\":\"2024-06-30\"}",
                          &json));
    CHECK_CONTAINS(json, "\"matched\":false");
    CHECK_CONTAINS(json, "{\"condition\":\"rooms = 2\",\"held\":true,\"value\":\"2\"}");
    CHECK_CONTAINS(json, "{\"condition\":\"consent sms\",\"held\":false}");
    cb_string_free(json);

    CHECK_OK(cb_base_call(base, "segment_sizes",
                          "{\"segments\":{\"two_rooms\":\"rooms = 2\",\"vip\":\"has tag vip\"},"
                          "\"as_of\":\"2024-06-30\"}",
                          &json));
    CHECK_STR(json, "{\"two_rooms\":2,\"vip\":1}");
    cb_string_free(json);
    cb_base_free(base);
}

static void test_parse_and_errors(void)
{
    char *json = NULL;
    CHECK_OK(cb_call("segment_parse", "{\"rule\":\"has tag vip and not has email\"}", &json));
    CHECK_CONTAINS(json, "\"text\":\"tags contains \\\"vip\\\" and not has email\"");
    CHECK_CONTAINS(json, "{\"has_contact\":\"email\"}");
    cb_string_free(json);

    cb_base *base = flats();
    json = NULL;
    /* The position and what was expected. */
    CHECK_STATUS(cb_base_call(base, "segment", "{\"rule\":\"rooms = \"}", &json),
                 CB_INVALID_VALUE);
    CHECK(json == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "line 1, column 9: expected a value");
    /* A date compared with a number, an unknown field, an unknown tag. */
    CHECK_STATUS(cb_base_call(base, "segment", "{\"rule\":\"birthday > 5\"}", &json),
                 CB_FIELD_TYPE);
    CHECK_STATUS(cb_base_call(base, "segment", "{\"rule\":\"storeys = 5\"}", &json),
                 CB_UNKNOWN_FIELD);
    CHECK_STATUS(cb_base_call(base, "segment", "{\"rule\":\"has tag gold\"}", &json),
                 CB_UNKNOWN_TAG);
    /* A typo in a key. */
    CHECK_STATUS(cb_base_call(base, "segment", "{\"rul\":\"rooms = 2\"}", &json), CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "rul");

    /* 100 000 parentheses: refused with a message, no stack overflow. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 64);
    CHECK(deep != NULL);
    char *p = deep;
    p += sprintf(p, "{\"rule\":\"");
    for (size_t i = 0; i < depth; i++) *p++ = '(';
    p += sprintf(p, "rooms = 2");
    for (size_t i = 0; i < depth; i++) *p++ = ')';
    sprintf(p, "\"}");
    CHECK_STATUS(cb_base_call(base, "segment", deep, &json), CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_message(), "longer than");
    free(deep);
    cb_base_free(base);
}

int main(void)
{
    test_segment_table();
    test_explain_and_sizes();
    test_parse_and_errors();
    return ts_finish();
}
