"""What every area's pages share: access to the proposal, navigation, filter widgets."""
