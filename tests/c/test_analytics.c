/*
 * Sales analytics and data quality from C, through the generic bridge:
 * deal lines as a table (`cb_table_call_table`), a base's deals
 * (`cb_base_call_table`), the quality report (`cb_base_call`) and the
 * checklist; typos and bad values refused with a status.
 */
#include "testsupport.h"

/* Deal 1 (Оля, won, lines 100 + 50), deal 2 (Петя, lost), deal 3 (Оля, open). */
static const char *LINES =
    "{\"columns\":["
    "{\"name\":\"deal\",\"type\":\"int64\",\"values\":[1,1,2,3]},"
    "{\"name\":\"status\",\"type\":\"text\",\"values\":[\"won\",\"won\",\"lost\",\"open\"]},"
    "{\"name\":\"amount\",\"type\":\"decimal\",\"scale\":2,\"values\":"
    "[\"100.00\",\"50.00\",\"70.00\",\"30.00\"]},"
    "{\"name\":\"manager\",\"type\":\"text\",\"values\":[\"Оля\",\"Оля\",\"Петя\",\"Оля\"]},"
    "{\"name\":\"created\",\"type\":\"date\",\"values\":"
    "[\"2024-02-20\",\"2024-02-20\",\"2024-02-01\",\"2024-03-05\"]},"
    "{\"name\":\"closed\",\"type\":\"date\",\"values\":"
    "[\"2024-03-01\",\"2024-03-01\",\"2024-03-02\",null]}]}";

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static void test_lines_by_manager(void)
{
    cb_table *lines = NULL;
    CHECK_OK(cb_table_from_json(LINES, &lines));
    cb_table *result = NULL;
    CHECK_OK(cb_table_call_table(lines, "sales_analytics",
                                 "{\"by\":\"manager\",\"from\":\"2024-01-01\"}", &result));
    CHECK(cb_table_rows(result) == 2);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(result, &json));
    CHECK_CONTAINS(json, "{\"name\":\"manager\",\"type\":\"text\",\"values\":[\"Оля\",\"Петя\"]}");
    CHECK_CONTAINS(json, "\"values\":[\"150.00\",\"0.00\"]");
    CHECK_CONTAINS(json, "{\"name\":\"deals\",\"type\":\"int64\",\"values\":[2,1]}");
    cb_string_free(json);
    cb_table_free(result);

    /* A typo and a slicing that does not exist. */
    result = NULL;
    CHECK_STATUS(cb_table_call_table(lines, "sales_analytics", "{\"byy\":\"manager\"}", &result),
                 CB_JSON);
    CHECK(result == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "byy");
    CHECK_STATUS(cb_table_call_table(lines, "sales_analytics", "{\"by\":\"week\"}", &result),
                 CB_JSON);
    CHECK_STATUS(cb_table_call_table(lines, "sales_analytics",
                                     "{\"from\":\"2024-05-01\",\"to\":\"2024-01-01\"}", &result),
                 CB_INVALID_VALUE);
    cb_table_free(lines);
}

static cb_base *shop(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{\"fields\":[{\"name\":\"rooms\",\"type\":\"integer\","
                         "\"required\":true}]}",
                         &base));
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"phones\":[{\"raw\":\"123\"}]}",
        &id));
    CHECK_OK(cb_base_add_json(base, "deal",
                                   "{\"client\":1,\"owner\":\"Оля\",\"amount\":{\"amount\":"
                                   "\"500.00\",\"currency\":\"RUB\"},\"status\":\"won\","
                                   "\"created_at\":\"2024-03-01T10:00:00Z\","
                                   "\"closed_at\":\"2024-03-11T10:00:00Z\"}",
                                   &id));
    return base;
}

static void test_base_and_quality(void)
{
    cb_base *base = shop();
    cb_table *result = NULL;
    CHECK_OK(cb_base_call_table(base, "sales_analytics", "{\"by\":\"month\"}", &result));
    char *json = NULL;
    CHECK_OK(cb_table_to_json(result, &json));
    CHECK_CONTAINS(json, "\"values\":[\"2024-03\"]");
    CHECK_CONTAINS(json, "{\"name\":\"cycle_median_days\",\"type\":\"float64\",\"values\":[10.0]}");
    cb_string_free(json);
    cb_table_free(result);

    CHECK_OK(cb_base_call(base, "quality_report", "{\"required\":[\"email\"]}", &json));
    CHECK_CONTAINS(json, "\"required\":[\"email\",\"custom.rooms\"]");
    CHECK_CONTAINS(json, "\"phones_invalid\":1");
    CHECK_CONTAINS(json, "\"required_complete\":0");
    cb_string_free(json);

    result = NULL;
    CHECK_OK(cb_base_call_table(base, "quality_checklist", "{\"required\":[\"email\"]}", &result));
    CHECK(cb_table_rows(result) == 1);
    CHECK_OK(cb_table_to_json(result, &json));
    CHECK_CONTAINS(json, "\"values\":[[\"email\",\"custom.rooms\"]]");
    cb_string_free(json);
    cb_table_free(result);

    json = NULL;
    CHECK_STATUS(cb_base_call(base, "quality_report", "{\"required\":[\"emial\"]}", &json),
                 CB_INVALID_VALUE);
    CHECK(json == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "emial");
    cb_base_free(base);
}

int main(void)
{
    test_lines_by_manager();
    test_base_and_quality();
    return ts_finish();
}
