"""Names: a full name split in any order, gender from the patronymic, initials,
clean-up, ё/е folding and Cyrillic↔Latin keys, and the column batch."""

from __future__ import annotations

from typing import Any

import pytest

import clientbase as cb


@pytest.mark.parametrize(
    "text",
    [
        "Иванов Сергей Петрович",
        "Сергей Петрович Иванов",
        "  сергей  петрович ИВАНОВ ",
        "ИВАНОВ СЕРГЕЙ ПЕТРОВИЧ",
        "Иванов, Сергей Петрович",
    ],
)
def test_full_name_in_any_order(text: str) -> None:
    name = cb.parse_name(text)
    assert name == {
        "surname": "Иванов",
        "given": "Сергей",
        "patronymic": "Петрович",
        "gender": "male",
        "initials": "Иванов С. П.",
        "key": "ivanov sergei petrovich",
    }
    assert name == cb.parse_name("Иванов Сергей Петрович")


def test_gender_from_the_patronymic() -> None:
    assert cb.parse_name("Ольга Игоревна Смирнова")["gender"] == "female"
    assert cb.parse_name("Мамедов Эльдар Гусейн оглы")["gender"] == "male"
    assert cb.parse_name("Зейнаб Ахмед кызы Алиева")["gender"] == "female"
    assert cb.parse_name("Зейнаб Ахмед кызы Алиева")["patronymic"] == "Ахмед кызы"
    assert cb.parse_name("Иванов Сергей")["gender"] is None


def test_initials() -> None:
    assert cb.parse_name("Петрова-Водкина Анна-Мария")["initials"] == "Петрова-Водкина А.-М."
    assert cb.parse_name("Сергей Петрович")["initials"] == "Сергей Петрович"
    assert cb.parse_name("Иванов")["initials"] == "Иванов"
    assert cb.parse_name("")["initials"] == ""


def test_keys_across_scripts_and_spellings() -> None:
    assert cb.parse_name("Ivanov Sergey")["key"] == cb.parse_name("Сергей Иванов")["key"]
    assert cb.parse_name("Yulia Tkachenko")["key"] == cb.parse_name("Ткаченко Юлия")["key"]
    assert cb.name_key("Sergei") == cb.name_key("Sergey") == cb.name_key("Сергей") == "sergei"
    assert cb.name_key("Семёнов") == cb.name_key("Семенов") == "semenov"
    assert cb.name_key("Артём") == cb.name_key("Артем")
    assert cb.name_key("") == ""


def test_transliterate_and_clean() -> None:
    assert cb.transliterate("Иванов Сергей") == "Ivanov Sergei"
    assert cb.transliterate("Щербаков Юрий") == "Shcherbakov Iurii"
    assert cb.transliterate("McDonald 42") == "McDonald 42"
    assert cb.clean_name("  ПЕТРОВ-ВОДКИН\tкузьма ") == "Петров-Водкин Кузьма"
    assert cb.clean_name("иванова-петрова") == "Иванова-Петрова"
    assert cb.clean_name("McDonald") == "McDonald"
    assert cb.clean_name("ＩＶＡＮＯＶ") == "Ivanov"


def test_parse_name_without_a_name() -> None:
    assert cb.parse_name("") == {
        "surname": None,
        "given": None,
        "patronymic": None,
        "gender": None,
        "initials": "",
        "key": "",
    }
    assert cb.parse_name("Иванов Иван") == cb.parse_name("Иван Иванов")


COLUMNS = ["input", "surname", "given", "patronymic", "gender", "initials", "key"]


def test_batch_columns() -> None:
    values: list[Any] = ["Сергей Петрович Иванов", None, "Ivanov Sergey", float("nan"), ""]
    columns = cb.parse_names(values)
    assert list(columns) == COLUMNS
    assert columns["input"] == values[:3] + [columns["input"][3], ""]
    assert columns["surname"] == ["Иванов", None, "Ivanov", None, None]
    assert columns["given"] == ["Сергей", None, "Sergey", None, None]
    assert columns["patronymic"] == ["Петрович", None, None, None, None]
    assert columns["gender"] == ["male", None, None, None, None]
    assert columns["initials"] == ["Иванов С. П.", None, "Ivanov S.", None, ""]
    assert columns["key"] == ["ivanov sergei petrovich", None, "ivanov sergei", None, ""]


def test_batch_refuses_values_that_are_not_text() -> None:
    with pytest.raises(TypeError, match=r"values\[2\]: expected str, got int"):
        cb.parse_names(["Иванов", None, 42])


def test_batch_agrees_with_parse_name() -> None:
    names = ["Иванов Сергей Петрович", "Ольга Игоревна Смирнова", "Ivanov Sergey"] * 30_000
    columns = cb.parse_names(names)
    for i in (0, 1, 2, 65_536, 89_999):
        one = cb.parse_name(names[i])
        assert columns["surname"][i] == one["surname"]
        assert columns["key"][i] == one["key"]
        assert columns["gender"][i] == one["gender"]


def test_batch_from_a_series() -> None:
    pd = pytest.importorskip("pandas")
    columns = cb.parse_names(pd.Series(["Иванов Иван", None]))
    assert columns["surname"] == ["Иванов", None]
