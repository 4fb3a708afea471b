"""The office's name: the setting when an office sets it, else its top district department's name."""

from app.org.office import office_name


def test_the_setting_names_the_office(app, db):
    app.config["OFFICE_NAME"] = " 滨江区群众诉求服务中心 "
    assert office_name() == "滨江区群众诉求服务中心"


def test_unset_it_is_the_top_district_department(app, db):
    app.config["OFFICE_NAME"] = None
    assert office_name() == "测试区"
