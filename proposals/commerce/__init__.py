"""The Commerce track: screening, licensing policy and gates, requests for information, clocks."""
