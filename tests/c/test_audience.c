/*
 * Acting on the base from C, through the generic bridge: an SMS audience
 * (`cb_base_call_table`), its exclusions by reason (`cb_base_call`), an ad
 * audience with hashed contacts, call tasks for managers, and the tasks added
 * to the base (`cb_base_call_mut`).
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

#define CHECK_LACKS(text, needle)                                                          \
    ts_check(!contains((text), (needle)), __FILE__, __LINE__, "lacks " #needle, (text))

/* Four buyers of two-room flats: Смирнова consented to SMS, calls and ads
 * and has her manager; Иванов gave no consent; Петров withdrew his; Смирнова's
 * second record repeats her phone. */
static cb_base *buyers(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{\"fields\":[{\"name\":\"rooms\",\"type\":\"integer\"}]}", &base));
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"owner\":\"Анна\",\"custom\":{\"rooms\":2},"
        "\"phones\":[\"8 (916) 123-45-67\"],\"emails\":[\"Olga@Mail.ru\"],"
        "\"consents\":{\"marketing\":{"
        "\"sms\":{\"state\":\"given\",\"date\":\"2024-01-10\"},"
        "\"calls\":{\"state\":\"given\",\"date\":\"2024-01-10\"},"
        "\"ads\":{\"state\":\"given\",\"date\":\"2024-01-10\"}}}}",
        &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Иванов\",\"given\":\"Иван\",\"custom\":{\"rooms\":2},"
        "\"phones\":[\"+7 916 000-00-02\"]}",
        &id));
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Петров\",\"given\":\"Пётр\",\"custom\":{\"rooms\":2},"
        "\"phones\":[\"+7 916 000-00-03\"],\"consents\":{\"marketing\":{"
        "\"sms\":{\"state\":\"withdrawn\",\"date\":\"2024-02-01\"}}}}",
        &id));
    CHECK_OK(cb_base_add_json(
        base, "client",
        "{\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"custom\":{\"rooms\":2},"
        "\"phones\":[\"+79161234567\"],\"consents\":{\"marketing\":{"
        "\"sms\":{\"state\":\"given\",\"date\":\"2024-01-10\"}}}}",
        &id));
    CHECK(id == 4);
    return base;
}

static void test_sms_audience(void)
{
    cb_base *base = buyers();
    const char *params =
        "{\"segment\":\"rooms = 2\",\"channel\":\"sms\",\"as_of\":\"2024-06-30\"}";
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "audience", params, &table));
    CHECK(cb_table_rows(table) == 1);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_CONTAINS(json, "{\"name\":\"client\",\"type\":\"uint64\",\"values\":[1]}");
    CHECK_CONTAINS(json, "\"values\":[\"+79161234567\"]");
    cb_string_free(json);
    cb_table_free(table);

    CHECK_OK(cb_base_call(base, "audience_summary", params, &json));
    CHECK_CONTAINS(json, "\"audience\":1");
    CHECK_CONTAINS(json, "\"segment\":4");
    CHECK_CONTAINS(json, "\"no_consent\":1");
    CHECK_CONTAINS(json, "\"consent_withdrawn\":1");
    CHECK_CONTAINS(json, "\"duplicate\":1");
    cb_string_free(json);

    CHECK_OK(cb_base_call(base, "audience_exclusions", params, &json));
    CHECK_CONTAINS(json, "\"values\":[\"no_consent\",\"consent_withdrawn\",\"duplicate\"]");
    cb_string_free(json);

    /* A typo in a key, a channel that does not exist. */
    CHECK_STATUS(cb_base_call(base, "audience", "{\"chanel\":\"sms\"}", &json), CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "chanel");
    CHECK_STATUS(cb_base_call(base, "audience", "{\"channel\":\"fax\"}", &json), CB_JSON);
    CHECK_STATUS(cb_base_call(base, "audience", "{}", &json), CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_message(), "channel");
    cb_base_free(base);
}

static void test_ad_audience(void)
{
    cb_base *base = buyers();
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "ad_audience",
                          "{\"platform\":\"google\",\"as_of\":\"2024-06-30\"}", &json));
    /* SHA-256 of "olga@mail.ru" and "+79161234567", nothing in the clear. */
    CHECK_CONTAINS(json, "\"name\":\"Email\"");
    CHECK_CONTAINS(json, "c795313d1a25fea4e552388ce7fb6102f550187a1132baa53b9872e5236dd8c6");
    CHECK_LACKS(json, "mail.ru");
    CHECK_LACKS(json, "9161234567\"");
    cb_string_free(json);
    cb_base_free(base);
}

static void test_call_tasks(void)
{
    cb_base *base = buyers();
    const char *params = "{\"segment\":\"rooms = 2\",\"as_of\":\"2024-06-30\","
                         "\"purpose\":\"service\",\"managers\":[\"Борис\",\"Анна\"],"
                         "\"reason\":\"confirm the delivery\",\"script\":\"Здравствуйте!\"}";
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "call_tasks", params, &json));
    /* Смирнова to her own manager; Иванов and Петров to the lighter load. */
    CHECK_CONTAINS(json, "\"values\":[1,2,3]");
    CHECK_CONTAINS(json, "\"values\":[\"Анна\",\"Борис\",\"Борис\"]");
    CHECK_CONTAINS(json, "\"values\":[\"2024-07-03\",\"2024-07-03\",\"2024-07-03\"]");
    cb_string_free(json);

    /* A read-only call cannot add them; the writable one does. */
    CHECK_STATUS(cb_base_call(base, "add_call_tasks", params, &json), CB_INVALID_VALUE);
    CHECK_OK(cb_base_call_mut(base, "add_call_tasks", params, &json));
    CHECK_CONTAINS(json, "\"added\":3");
    CHECK_CONTAINS(json, "\"unassigned\":0");
    cb_string_free(json);
    CHECK_OK(cb_base_call(base, "counts", "{}", &json));
    CHECK_CONTAINS(json, "\"activities\":3");
    cb_string_free(json);
    cb_base_free(base);
}

int main(void)
{
    test_sms_audience();
    test_ad_audience();
    test_call_tasks();
    return ts_finish();
}
