'use strict';

/**
 * What the pytest wrapper (tests/clients/test_node_clients.py) hands over: a live wikigate
 * with an Admin (sysop, bureaucrat) account and a bot password for it.
 */
function need(name) {
	const value = process.env[name];
	if (!value) {
		throw new Error(`${name} is not set: run these tests through tests/clients/test_node_clients.py`);
	}
	return value;
}

module.exports = {
	apiUrl: need('WIKIGATE_API_URL'),
	adminName: need('WIKIGATE_ADMIN_NAME'),
	adminPassword: need('WIKIGATE_ADMIN_PASSWORD'),
	botName: need('WIKIGATE_BOT_NAME'),
	botPassword: need('WIKIGATE_BOT_PASSWORD'),
	userAgent: 'wikigate-tests/1.0 (node client compatibility)'
};
