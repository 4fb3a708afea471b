"""Personal-data protection (个人信息保护): the retention period, the erasing job and citizens' requests."""
