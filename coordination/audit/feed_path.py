"""Where the feed lives on a node, shared by the router and the clients of the feed."""

FEED_PREFIX = "/federation/v1"
