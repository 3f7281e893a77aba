'use strict';

// Wikimedia's api-testing library (the one MediaWiki core's tests/api-testing use), in
// the style of core's action/UserInfo.js and the login tests: its root() logs the
// configured admin in with action=login, alice()/bob() are created through
// action=createaccount and then log in, mindy() is made a sysop with action=userrights.
const { action, assert, utils } = require('api-testing');

describe('api-testing: meta=userinfo', function () {
	let root, alice, anon;

	before(async function () {
		[root, alice] = await Promise.all([action.root(), action.alice()]);
		anon = action.getAnon();
	});

	it('root is the configured admin with sysop rights', async function () {
		const info = await root.meta('userinfo', { uiprop: 'groups|rights' });
		assert.equal(info.name, root.username);
		assert.include(info.groups, 'sysop');
		assert.include(info.groups, 'bureaucrat');
		assert.include(info.rights, 'userrights');
	});

	it('alice is a fresh registered user', async function () {
		const info = await alice.meta('userinfo', { uiprop: 'groups|editcount|registrationdate' });
		assert.equal(info.name, alice.username);
		assert.equal(info.id, alice.userid);
		// $wgAutoConfirmAge and $wgAutoConfirmCount are 0 by default: autoconfirmed at once.
		assert.sameMembers(info.groups, ['*', 'user', 'autoconfirmed']);
		assert.equal(info.editcount, 0);
		assert.match(info.registrationdate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.notProperty(info, 'anon');
	});

	it('anonymous users are reported by IP', async function () {
		const info = await anon.meta('userinfo', {});
		assert.equal(info.id, 0);
		assert.property(info, 'anon');
		assert.match(info.name, /^(127\.0\.0\.1|::1)$/);
	});

	it('userinfo in formatversion 2', async function () {
		const result = await alice.action('query', { meta: 'userinfo', formatversion: 2 });
		assert.deepEqual(result.query.userinfo, { id: alice.userid, name: alice.username });
		const anonResult = await anon.action('query', { meta: 'userinfo', formatversion: 2 });
		assert.strictEqual(anonResult.query.userinfo.anon, true);
	});
});

describe('api-testing: fixtures that run jobs', function () {
	// mindy() and Client.edit() call wiki.runAllJobs(): a signed POST to Special:RunJobs.
	it('mindy is made a sysop through action=userrights', async function () {
		const mindy = await action.mindy();
		const info = await mindy.meta('userinfo', { uiprop: 'groups|rights' });
		assert.include(info.groups, 'sysop');
		assert.include(info.rights, 'protect');
		const root = await action.root();
		const entry = await root.getLogEntry({ letype: 'rights', letitle: `User:${ mindy.username }` });
		assert.equal(entry.type, 'rights');
		assert.equal(entry.user, root.username);
	});

	it('root edits a page and reads the revision back', async function () {
		const root = await action.root();
		const title = utils.title('Api testing page ');
		const edit = await root.edit(title, { text: 'Hello from api-testing' });
		assert.equal(edit.title, title);
		const rev = await root.getRevision(title);
		assert.equal(rev.revid, edit.newrevid);
		assert.equal(rev.user, root.username);
		assert.equal(rev.slots.main['*'], 'Hello from api-testing');
	});
});

describe('api-testing: login', function () {
	it('creates an account and logs in to it from a new client', async function () {
		const name = utils.title('Login test ');
		const password = utils.uniq() + 'Aa1!';
		const creator = action.getAnon();
		const account = await creator.createAccount({ username: name, password });
		assert.equal(account.username, name);

		const client = action.getAnon();
		const login = await client.login(name, password);
		assert.equal(login.result, 'Success');
		assert.equal(login.lgusername, name);
		const info = await client.meta('userinfo', {});
		assert.equal(info.name, name);
	});

	it('a wrong password fails without an API error', async function () {
		const alice = await action.alice();
		const client = action.getAnon();
		const result = await client.action('login', {
			lgname: alice.username,
			lgpassword: 'not the password',
			lgtoken: await client.token('login')
		}, 'POST');
		assert.deepEqual(result.login, {
			result: 'Failed',
			reason: 'Incorrect username or password entered. Please try again.'
		});
	});

	it('a login token from another session is WrongToken', async function () {
		const alice = await action.alice();
		const stranger = action.getAnon();
		const client = action.getAnon();
		await client.token('login'); // the client has a session of its own
		const result = await client.action('login', {
			lgname: alice.username,
			lgpassword: 'whatever',
			lgtoken: await stranger.token('login')
		}, 'POST');
		assert.deepEqual(result.login, { result: 'WrongToken' });
	});

	it('a login token without any session is a lost session', async function () {
		const alice = await action.alice();
		const stranger = action.getAnon();
		const result = await action.getAnon().action('login', {
			lgname: alice.username,
			lgpassword: 'whatever',
			lgtoken: await stranger.token('login')
		}, 'POST');
		assert.deepEqual(result.login, {
			result: 'Failed',
			reason: 'Unable to continue login. Your session most likely timed out.'
		});
	});

	it('clientlogin PASS for alice\'s credentials', async function () {
		const name = utils.title('Clientlogin ');
		const password = utils.uniq() + 'Aa1!';
		await action.getAnon().createAccount({ username: name, password });
		const client = action.getAnon();
		const result = await client.action('clientlogin', {
			username: name,
			password,
			loginreturnurl: 'http://example.org/',
			logintoken: await client.token('login')
		}, 'POST');
		assert.deepEqual(result.clientlogin, { status: 'PASS', username: name });
	});

	it('actionError reports the error code', async function () {
		const anon = action.getAnon();
		const error = await anon.actionError('login', { lgname: 'X' }, false);
		assert.equal(error.code, 'mustbeposted');
		assert.equal(error.info, 'The "login" module requires a POST request.');
	});
});
