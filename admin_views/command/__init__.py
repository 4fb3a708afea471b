"""The panel's command and accountability pages: the 督办台账, 我的批示, 我的包案 and the automatic 督办 rules."""
