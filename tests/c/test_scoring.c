/*
 * Scoring from C: a model as JSON through the generic bridge
 * (`cb_base_call_table` for the scores, `cb_base_call` for one client's
 * breakdown and the behaviour types as JSON), bad models refused with a
 * status naming the rule.
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

#define MODEL                                                                              \
    "\"model\":{\"rules\":["                                                               \
    "{\"name\":\"moscow\",\"when\":\"city = Москва\",\"points\":20},"                     \
    "{\"name\":\"visits\",\"events\":\"activities where kind = visit\",\"points\":4,"     \
    "\"max\":10},"                                                                         \
    "{\"name\":\"forms\",\"events\":\"activities where kind = form\",\"points\":15}],"    \
    "\"decay\":{\"percent\":50,\"every_days\":30}},\"as_of\":\"2026-06-30\""

/* Anna in Moscow: three visits on the analysis date and a form 31 days
 * before (one period of decay: 7.5). Petr in Tver: one visit 61 days before
 * (two periods: 1). */
static cb_base *leads(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{}", &base));
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(base, "client", "{\"surname\":\"Иванова\",\"city\":\"Москва\"}", &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(base, "client", "{\"surname\":\"Петров\",\"city\":\"Тверь\"}", &id));
    for (int i = 0; i < 3; i++) {
        CHECK_OK(cb_base_add_json(
            base, "activity", "{\"client\":1,\"kind\":\"visit\",\"at\":\"2026-06-30T12:00:00Z\"}", &id));
    }
    CHECK_OK(cb_base_add_json(
        base, "activity", "{\"client\":1,\"kind\":\"form\",\"at\":\"2026-05-30T12:00:00Z\"}", &id));
    CHECK_OK(cb_base_add_json(
        base, "activity", "{\"client\":2,\"kind\":\"visit\",\"at\":\"2026-04-30T12:00:00Z\"}", &id));
    return base;
}

static void test_score_table(void)
{
    cb_base *base = leads();
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "score", "{" MODEL ",\"breakdown\":true}", &table));
    CHECK(cb_table_rows(table) == 2);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    /* Anna: 20 fit, 10 (the visits' max) + 7.5 engagement. */
    CHECK_CONTAINS(json, "{\"name\":\"score\",\"type\":\"float64\",\"values\":[37.5,1.0]}");
    CHECK_CONTAINS(json, "{\"name\":\"temperature\",\"type\":\"text\",\"values\":[\"warm\",\"cold\"]}");
    CHECK_CONTAINS(json, "{\"name\":\"grade\",\"type\":\"text\",\"values\":[\"C4\",\"D4\"]}");
    /* The breakdown's keys come sorted. */
    CHECK_CONTAINS(json, "{\\\"forms\\\":7.5,\\\"moscow\\\":20.0,\\\"visits\\\":10.0}");
    cb_string_free(json);
    cb_table_free(table);
    cb_base_free(base);
}

static void test_explain_and_behaviour(void)
{
    cb_base *base = leads();
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "score_explain", "{\"client\":2," MODEL "}", &json));
    CHECK_CONTAINS(json, "\"score\":1.0");
    CHECK_CONTAINS(json, "{\"kind\":\"engagement\",\"matched\":1,\"name\":\"visits\",\"points\":1.0}");
    CHECK_CONTAINS(json, "\"condition\":\"city = \\\"Москва\\\"\",\"held\":false,\"value\":\"Тверь\"");
    cb_string_free(json);

    CHECK_OK(cb_base_call(base, "behaviour_types", "{\"as_of\":\"2026-06-30\"}", &json));
    CHECK_CONTAINS(json, "\"values\":[\"browsing\",null]");
    cb_string_free(json);
    cb_base_free(base);
}

static void test_errors(void)
{
    cb_base *base = leads();
    char *json = NULL;
    CHECK_STATUS(cb_base_call(base, "score",
                              "{\"model\":{\"rules\":[{\"name\":\"x\",\"events\":\"activities "
                              "where kind = fax\",\"points\":1}]}}",
                              &json),
                 CB_FIELD_TYPE);
    CHECK(json == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "model.rules[0].events.where.kind");
    CHECK_STATUS(cb_base_call(base, "score",
                              "{\"model\":{\"rules\":[{\"name\":\"x\",\"when\":\"true\","
                              "\"pionts\":1}]}}",
                              &json),
                 CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "pionts");
    CHECK_STATUS(cb_base_call(base, "score_explain", "{\"client\":9}", &json), CB_UNKNOWN_ID);
    cb_base_free(base);
}

int main(void)
{
    test_score_table();
    test_explain_and_behaviour();
    test_errors();
    return ts_finish();
}
