'use strict';

// Page protection through Wikimedia's api-testing library, in the style of MediaWiki core's
// tests/api-testing/action/PageProtection.js: a sysop (mindy) protects pages, anonymous
// users, alice (autoconfirmed by default) and the sysop are then allowed or refused edits
// according to semi-, full-, cascading and creation protection, and the settings are read
// back through prop=info, list=protectedtitles and list=logevents.
const { action, assert, utils } = require('api-testing');

describe('The action=protect API', function () {
	const semiTitle = utils.title('Semi_');
	const fullTitle = utils.title('Full_');
	const sourceTitle = utils.title('CascadeSource_');
	const templateTitle = utils.title('Template:Cascaded_');
	const saltTitle = utils.title('Salted_');
	let mindy, alice, anon;

	before(async function () {
		[mindy, alice] = await Promise.all([action.mindy(), action.alice()]);
		anon = action.getAnon();
		await mindy.edit(semiTitle, { text: 'Semi-protected page' });
		await mindy.edit(fullTitle, { text: 'Fully protected page' });
		await mindy.edit(templateTitle, { text: 'A template' });
		await mindy.edit(sourceTitle, { text: `Uses {{${ utils.dbkey(templateTitle) }}}` });
	});

	const protect = async (client, params) => client.action('protect', {
		token: await client.token(),
		...params
	}, 'POST');

	it('lets a sysop semi-protect a page', async function () {
		const result = await protect(mindy, { title: semiTitle, protections: 'edit=autoconfirmed|move=sysop',
			reason: 'api-testing' });
		assert.deepEqual(result.protect, {
			title: semiTitle.replace(/_/g, ' '),
			reason: 'api-testing',
			protections: [{ edit: 'autoconfirmed', expiry: 'infinite' }, { move: 'sysop', expiry: 'infinite' }]
		});
	});

	it('refuses anonymous edits to a semi-protected page', async function () {
		const error = await anon.actionError('edit', { title: semiTitle, text: 'anon', token: '+\\' }, 'POST');
		assert.equal(error.code, 'protectedpage');
		assert.equal(error.info, 'This page has been protected to prevent editing or other actions.');
	});

	it('lets autoconfirmed users edit a semi-protected page', async function () {
		const edit = await alice.edit(semiTitle, { text: 'Alice was here' });
		assert.equal(edit.result, 'Success');
	});

	it('refuses non-sysops on a fully protected page, but not the sysop', async function () {
		await protect(mindy, { title: fullTitle, protections: 'edit=sysop', expiry: '1 week' });
		const error = await alice.actionError('edit', { title: fullTitle, text: 'no', token: await alice.token() },
			'POST');
		assert.equal(error.code, 'protectedpage');
		const edit = await mindy.edit(fullTitle, { text: 'Sysops may' });
		assert.equal(edit.result, 'Success');
	});

	it('reads the protection back with prop=info', async function () {
		const result = await alice.action('query', { prop: 'info', inprop: 'protection', titles: fullTitle,
			formatversion: 2 });
		const page = result.query.pages[0];
		assert.lengthOf(page.protection, 1);
		assert.include(page.protection[0], { type: 'edit', level: 'sysop' });
		assert.match(page.protection[0].expiry, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.deepEqual(page.restrictiontypes, ['edit', 'move']);
	});

	it('protects transcluded pages with cascading protection', async function () {
		const result = await protect(mindy, { title: sourceTitle, protections: 'edit=sysop', cascade: 1,
			formatversion: 2 });
		assert.strictEqual(result.protect.cascade, true);
		const error = await alice.actionError('edit', { title: templateTitle, text: 'no',
			token: await alice.token() }, 'POST');
		assert.equal(error.code, 'cascadeprotected');
		assert.include(error.info, `* [[:${ sourceTitle.replace(/_/g, ' ') }]]`);
		const info = await alice.action('query', { prop: 'info', inprop: 'protection', titles: templateTitle,
			formatversion: 2 });
		assert.deepEqual(info.query.pages[0].protection, [
			{ type: 'edit', level: 'sysop', expiry: 'infinity', source: sourceTitle.replace(/_/g, ' ') }
		]);
	});

	it('drops cascading silently below the sysop level', async function () {
		const result = await protect(mindy, { title: semiTitle, protections: 'edit=autoconfirmed', cascade: 1 });
		assert.notProperty(result.protect, 'cascade');
	});

	it('protects a missing title from creation', async function () {
		const result = await protect(mindy, { title: saltTitle, protections: 'create=sysop',
			expiry: '2099-01-01T00:00:00Z', reason: 'salt' });
		assert.deepEqual(result.protect.protections, [{ create: 'sysop', expiry: '2099-01-01T00:00:00Z' }]);
		const error = await alice.actionError('edit', { title: saltTitle, text: 'no', token: await alice.token() },
			'POST');
		assert.equal(error.code, 'protectedpage');
		const list = await alice.list('protectedtitles', { ptprop: 'level|expiry|comment' });
		const entry = list.find((item) => item.title === saltTitle.replace(/_/g, ' '));
		assert.include(entry, { level: 'sysop', expiry: '2099-01-01T00:00:00Z', comment: 'salt' });
	});

	it('rejects bad requests with MediaWiki\'s error codes', async function () {
		const token = await mindy.token();
		const cases = [
			[{ title: semiTitle, protections: 'edit=sysop', expiry: 'infinite|infinite' }, 'toofewexpiries'],
			[{ title: semiTitle, protections: 'create=sysop' }, 'create-titleexists'],
			[{ title: utils.title('Missing_'), protections: 'edit=sysop' }, 'missingtitle-createonly'],
			[{ title: semiTitle, protections: 'dance=sysop' }, 'protect-invalidaction'],
			[{ title: semiTitle, protections: 'edit=superhero' }, 'protect-invalidlevel'],
			[{ title: semiTitle, protections: 'edit=sysop', expiry: 'next blue moon' }, 'invalidexpiry'],
			[{ title: semiTitle, protections: 'edit=sysop', expiry: '2001-01-01' }, 'pastexpiry']
		];
		for (const [params, code] of cases) {
			const error = await mindy.actionError('protect', { token, ...params }, 'POST');
			assert.equal(error.code, code, JSON.stringify(params));
		}
		const denied = await alice.actionError('protect', { title: semiTitle, protections: 'edit=sysop',
			token: await alice.token() }, 'POST');
		assert.equal(denied.code, 'permissiondenied');
	});

	it('logs protect, modify and unprotect', async function () {
		await protect(mindy, { title: fullTitle, protections: 'edit=autoconfirmed', reason: 'lower' });
		await protect(mindy, { title: fullTitle, protections: '', reason: 'lift' });
		const entries = await mindy.list('logevents', { letype: 'protect', letitle: fullTitle, formatversion: 2 });
		assert.deepEqual(entries.map((e) => e.action), ['unprotect', 'modify', 'protect']);
		assert.deepEqual(entries[1].params.details, [
			{ type: 'edit', level: 'autoconfirmed', expiry: 'infinite', cascade: false }
		]);
		assert.deepEqual(entries[0].params, {});
		const info = await mindy.action('query', { prop: 'info', inprop: 'protection', titles: fullTitle,
			formatversion: 2 });
		assert.deepEqual(info.query.pages[0].protection, []);
	});
});
