'use strict';

// mwn (the Node.js bot framework) against wikigate: login with a bot password and
// Mwn.init, siteinfo, userinfo, edit and read, and a failed login.
const assert = require('assert');
const { Mwn } = require('mwn');
const env = require('./env');

describe('mwn', function () {
	let bot;

	before(async function () {
		// Mwn.init = constructor + login() + getSiteInfo() + getTokens().
		bot = await Mwn.init({
			apiUrl: env.apiUrl,
			username: env.botName,
			password: env.botPassword,
			userAgent: env.userAgent,
			silent: true,
			defaultParams: { assert: 'user' }
		});
	});

	it('logs in with a bot password and holds a csrf token', function () {
		assert.strictEqual(bot.loggedIn, true);
		assert.match(bot.csrfToken, /^[0-9a-f]{32,}\+\\$/);
	});

	it('reads siteinfo the way mwn caches it', async function () {
		const info = await bot.query({ meta: 'siteinfo', siprop: 'general' });
		assert.strictEqual(info.query.general.sitename, 'RefWiki');
		assert.match(info.query.general.generator, /^MediaWiki 1\.39/);
		await bot.getSiteInfo(); // what Mwn.init did: feeds namespaces to bot.Title
		// mwn builds its Title class from the namespaces it fetched.
		const title = new bot.Title('user talk:example');
		assert.strictEqual(title.getPrefixedText(), 'User talk:Example');
		assert.strictEqual(title.getNamespaceId(), 3);
	});

	it('sees the bot-password session in userinfo (grants cap the rights)', async function () {
		const info = await bot.userinfo({ uiprop: 'groups|rights' });
		assert.strictEqual(info.name, env.adminName);
		assert.ok(info.groups.includes('sysop'));
		assert.ok(info.rights.includes('edit'));
		assert.ok(info.rights.includes('protect'));
		// userrights is not among the grants given to the bot password.
		assert.ok(!info.rights.includes('userrights'));
	});

	it('edits and reads a page', async function () {
		const title = 'Mwn sandbox';
		const created = await bot.create(title, 'Hello from mwn', 'mwn test');
		assert.strictEqual(created.result, 'Success');
		const edited = await bot.edit(title, (rev) => ({
			text: rev.content + ' (edited)',
			summary: 'mwn edit'
		}));
		assert.strictEqual(edited.result, 'Success');
		const page = await bot.read(title);
		assert.strictEqual(page.revisions[0].content, 'Hello from mwn (edited)');
	});

	it('protects a page through mwn.request', async function () {
		const result = await bot.request({
			action: 'protect',
			title: 'Mwn sandbox',
			protections: 'edit=sysop|move=sysop',
			expiry: 'infinite',
			token: bot.csrfToken
		});
		assert.deepStrictEqual(result.protect.protections, [
			{ edit: 'sysop', expiry: 'infinite' },
			{ move: 'sysop', expiry: 'infinite' }
		]);
	});

	it('rejects a wrong bot password with the reference reason', async function () {
		const other = new Mwn({
			apiUrl: env.apiUrl,
			username: env.botName,
			password: '0'.repeat(32),
			userAgent: env.userAgent,
			silent: true
		});
		await assert.rejects(other.login(), (err) => {
			// mwn wraps the login result as "<result>: <reason>".
			assert.strictEqual(err.code, 'mwn_failedlogin');
			assert.strictEqual(err.info, 'Failed: Incorrect username or password entered. Please try again.');
			return true;
		});
	});

	it('recognises the bot-password session in a second login (Aborted)', async function () {
		// mwn matches MediaWiki's exact reason text to explain the failure.
		await assert.rejects(bot.login(), (err) => {
			assert.strictEqual(err.code, 'mwn_failedlogin');
			assert.strictEqual(err.info, `Already logged in as ${env.botName}, logout first to re-login`);
			return true;
		});
	});

	after(async function () {
		if (bot) {
			await bot.logout();
		}
	});
});
