/* dynzone dashboard: plain JS, no framework, no outside requests.
 *
 * Rules kept throughout: whatever came from a user or the server is put on
 * the page with textContent / setAttribute only (never innerHTML), every
 * state-changing request carries the session's CSRF token in X-CSRF-Token,
 * and every control is a real button, link or labelled input. */
'use strict';

(function () {
	const API = '/api/v1';
	const POLL_MS = 2500;
	const state = {
		user: null,          // {name, admin}
		csrf: '',
		signup: 'closed',    // open | invite | closed
		updateName: '',      // update-name: update4.* / update6.* for the snippets
		zones: [],           // zones the user may create hosts in
		hosts: new Map(),    // name -> {data, el}
		list: [],            // the last host list, in server order
		view: '',
		timer: 0,
		polling: false,
	};

	const $ = (id) => document.getElementById(id);

	/* Build an element: h('p', {class: 'x'}, 'text', child...).  Strings
	 * become text nodes, so nothing here can inject markup. */
	function h(tag, attrs, ...kids) {
		const el = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === false || v === null || v === undefined) continue;
			if (k === 'text') el.textContent = v;
			else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
			else el.setAttribute(k, v === true ? '' : String(v));
		}
		for (const kid of kids) {
			if (kid === null || kid === undefined || kid === false) continue;
			el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
		}
		return el;
	}

	function setText(el, text) {
		if (el.textContent !== text) el.textContent = text;
	}

	/* ---- talking to the server ------------------------------------- */

	class ApiError extends Error {
		constructor(status, code, message) {
			super(message);
			this.status = status;
			this.code = code;
		}
	}

	async function api(method, path, body) {
		const opt = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
		if (method !== 'GET') opt.headers['X-CSRF-Token'] = state.csrf;
		if (body !== undefined) {
			opt.headers['Content-Type'] = 'application/json';
			opt.body = JSON.stringify(body);
		}
		let r;
		try {
			r = await fetch(API + path, opt);
		} catch (e) {
			throw new ApiError(0, 'network', 'The server cannot be reached.');
		}
		let data = null;
		if (r.status !== 204) {
			try { data = await r.json(); } catch (e) { data = null; }
		}
		if (!r.ok) {
			const err = data && data.error ? data.error : {};
			const ex = new ApiError(r.status, err.code || 'http_' + r.status,
				err.message || 'The server answered ' + r.status + '.');
			if (r.status === 401 && state.user && path !== '/login') sessionLost();
			throw ex;
		}
		return data;
	}

	function sessionLost() {
		state.user = null;
		state.csrf = '';
		flash('Your session has ended. Please log in again.', true);
		location.hash = '#/login';
	}

	/* ---- little helpers -------------------------------------------- */

	let flashTimer = 0;
	function flash(msg, bad) {
		const f = $('flash');
		f.textContent = msg;
		f.classList.toggle('bad', !!bad);
		f.hidden = false;
		clearTimeout(flashTimer);
		flashTimer = setTimeout(() => { f.hidden = true; }, 6000);
	}

	function showError(id, err) {
		const el = $(id);
		if (!err) { el.hidden = true; el.textContent = ''; return; }
		el.textContent = err.message || String(err);
		el.hidden = false;
	}

	function ago(t) {
		if (!t) return 'never';
		const s = Math.max(0, Math.round(Date.now() / 1000 - t));
		if (s < 5) return 'just now';
		if (s < 60) return s + ' s ago';
		if (s < 3600) return Math.floor(s / 60) + ' min ago';
		if (s < 86400) return Math.floor(s / 3600) + ' h ago';
		return Math.floor(s / 86400) + ' d ago';
	}

	function when(t) {
		if (!t) return '';
		const d = new Date(t * 1000);
		return d.toLocaleString();
	}

	function timeEl(t) {
		const el = h('time', { datetime: new Date(t * 1000).toISOString(), title: when(t) }, ago(t));
		el.dataset.t = String(t);
		return el;
	}

	async function copyText(text, btn) {
		let done = false;
		try {
			if (navigator.clipboard && window.isSecureContext) {
				await navigator.clipboard.writeText(text);
				done = true;
			}
		} catch (e) { done = false; }
		if (!done) {
			/* plain http on a non-local address: the old way */
			const ta = h('textarea', { readonly: true, class: 'offscreen' });
			ta.value = text;
			document.body.append(ta);
			ta.select();
			try { done = document.execCommand('copy'); } catch (e) { done = false; }
			ta.remove();
		}
		if (btn) {
			const old = btn.dataset.label || btn.textContent;
			btn.dataset.label = old;
			btn.textContent = done ? 'Copied' : 'Copy failed';
			btn.classList.toggle('copied', done);
			setTimeout(() => { btn.textContent = old; btn.classList.remove('copied'); }, 1800);
		}
		return done;
	}

	function fqdn(name) {
		return name.endsWith('.') ? name.slice(0, -1) : name;
	}

	/* ---- IPv6: the prefix part and the interface part ---------------- */

	/* The eight 16-bit groups of an IPv6 address text, or null. */
	function v6Groups(a) {
		if (!a || a.indexOf(':') < 0 || a.indexOf('.') >= 0) return null;
		const halves = a.split('::');
		if (halves.length > 2) return null;
		const part = (t) => (t ? t.split(':').map((g) => parseInt(g, 16)) : []);
		const l = part(halves[0]), r = halves.length === 2 ? part(halves[1]) : [];
		const zeros = 8 - l.length - r.length;
		if (zeros < 0 || (halves.length === 1 && zeros !== 0)) return null;
		const g = l.concat(new Array(zeros).fill(0), r);
		return g.some((x) => !(x >= 0 && x <= 0xffff)) ? null : g;
	}

	/* Groups as text, the longest run of two or more zeros as "::". */
	function v6Text(g) {
		let best = -1, blen = 1;
		for (let i = 0; i < g.length;) {
			let j = i;
			while (j < g.length && g[j] === 0) j++;
			if (j - i > blen) { best = i; blen = j - i; }
			i = j > i ? j : i + 1;
		}
		const hex = (x) => x.map((v) => v.toString(16)).join(':');
		if (best < 0) return hex(g);
		return hex(g.slice(0, best)) + '::' + hex(g.slice(best + blen));
	}

	/* [prefix part, interface part] of an address, split after plen bits
	 * (rounded to whole groups), so that together they read as the
	 * address; null if it is not IPv6. */
	function v6Split(a, plen) {
		const g = v6Groups(a);
		if (!g) return null;
		const n = Math.min(7, Math.max(1, Math.round((plen || 64) / 16)));
		const pre = g.slice(0, n).map((v) => v.toString(16)).join(':');
		const tail = v6Text(g.slice(n));
		return [pre, tail.startsWith('::') ? tail : ':' + tail];
	}

	/* Fill a value with an IPv6 address shown as prefix and interface
	 * parts (the text still reads as the whole address). */
	function fillV6(dd, value, plen) {
		const key = (value || '') + '/' + (plen || 64);
		if (dd.dataset.v === key) return;
		const had = dd.dataset.v !== undefined && dd.textContent !== '';
		dd.dataset.v = key;
		dd.classList.toggle('none', !value);
		/* split only where the parts read exactly as the address does */
		let parts = value ? v6Split(value, plen) : null;
		if (parts && parts[0] + parts[1] !== value) parts = null;
		if (!parts) {
			dd.textContent = value || 'none';
			dd.removeAttribute('title');
		} else {
			dd.replaceChildren(h('span', { class: 'v6-prefix' }, parts[0]),
				h('span', { class: 'v6-iid' }, parts[1]));
			dd.title = 'prefix ' + parts[0] + '::/' + (plen || 64) + ' · interface ' + parts[1];
		}
		if (had && value) flashEl(dd);
	}

	/* ---- client settings shown with a new token --------------------- */

	/* The update names (update-name): NAME (both families), update4.*
	 * (A only) and update6.* (AAAA only), with this page's port; without
	 * the setting, this page's host for all three. */
	function updateNames() {
		const port = location.port ? ':' + location.port : '';
		const n = state.updateName;
		if (!n) return { both: location.host, v4: location.host, v6: location.host, split: false };
		const dot = n.indexOf('.');
		const first = dot < 0 ? n : n.slice(0, dot), rest = dot < 0 ? '' : n.slice(dot);
		return { both: n + port, v4: first + '4' + rest + port, v6: first + '6' + rest + port, split: true };
	}

	function snippets(host, token) {
		const names = updateNames();
		const tls = location.protocol === 'https:';
		const scheme = tls ? 'https' : 'http';
		const base = (name) => scheme + '://' + name;
		const upd = (name) => base(name) + '/nic/update';
		const bare = location.hostname.replace(/^\[|\]$/g, '');
		const port = location.port;
		const cred = "'" + host + ':' + token + "'";
		const fams = [['4', names.v4], ['6', names.v6]];
		return [
			{
				id: 'curl', label: 'curl',
				blocks: names.split ? [
					{ note: 'Both families, each from the address its request comes from (update4 has only an IPv4 address, update6 only IPv6):',
					  text: "curl -4 -u " + cred + " '" + upd(names.v4) + '?hostname=' + host + "'\n" +
						"curl -6 -u " + cred + " '" + upd(names.v6) + '?hostname=' + host + "'" },
					{ note: 'Or give the addresses (IPv4, IPv6 or both):',
					  text: "curl -u " + cred + " '" + upd(names.both) + '?hostname=' + host +
						"&myip=203.0.113.7,2001:db8::7'" },
				] : [
					{ note: 'Update to the address the request comes from:',
					  text: "curl -u " + cred + " '" + upd(names.both) + '?hostname=' + host + "'" },
					{ note: 'Or give the addresses (IPv4, IPv6 or both):',
					  text: "curl -u " + cred + " '" + upd(names.both) + '?hostname=' + host +
						"&myip=203.0.113.7,2001:db8::7'" },
				],
			},
			{
				id: 'dynzone-update', label: 'dynzone-update',
				blocks: [{ note: 'In /etc/dynzone-update.conf (both families in one request; on a router, lan-prefix sends the LAN prefix for hosts that follow it):',
					text: [
						'server = ' + base(names.both),
						'[host ' + host + ']',
						'token = ' + token,
						'ipv4 = checkip ' + base(names.v4) + '/checkip',
						'ipv6 = interface',
						'#lan-prefix = br-lan',
					].join('\n') }],
			},
			{
				id: 'ddclient', label: 'ddclient',
				blocks: names.split ? fams.map(([fam, name]) => ({
					note: fam === '4' ? 'IPv4, in /etc/ddclient.conf (ddclient 3.10 or later):'
						: 'IPv6, a second instance: ddclient -file /etc/ddclient-v6.conf -cache /var/cache/ddclient/v6.cache',
					text: [
						'daemon=300',
						'protocol=dyndns2',
						fam === '4' ? 'use=web, web=' + base(name) + '/checkip'
							: 'usev6=webv6, webv6=' + base(name) + '/checkip',
						'server=' + name,
						'ssl=' + (tls ? 'yes' : 'no'),
						'login=' + host,
						"password='" + token + "'",
						host,
					].join('\n') })) : [{ note: 'In /etc/ddclient.conf (ddclient 3.10 or later):',
					text: [
						'daemon=300',
						'protocol=dyndns2',
						'use=web, web=' + base(names.both) + '/checkip',
						'server=' + names.both,
						'ssl=' + (tls ? 'yes' : 'no'),
						'login=' + host,
						"password='" + token + "'",
						host,
					].join('\n') }],
			},
			{
				id: 'inadyn', label: 'inadyn',
				blocks: [{ note: 'In /etc/inadyn.conf (inadyn 2.x)' + (names.split ? ', one section per family:' : ':'),
					text: ['period = 300', names.split ? 'allow-ipv6 = true' : null].concat(
						(names.split ? fams : [['', names.both]]).map(([fam, name]) => [
							'custom dynzone' + fam + ' {',
							'    ssl            = ' + (tls ? 'true' : 'false'),
							'    username       = ' + host,
							'    password       = ' + token,
							'    ddns-server    = ' + name,
							'    ddns-path      = "/nic/update?hostname=%h&myip=%i"',
							'    checkip-server = ' + name,
							'    checkip-path   = /checkip',
							'    checkip-ssl    = ' + (tls ? 'true' : 'false'),
							'    hostname       = ' + host,
							'}',
						].join('\n'))).filter((l) => l !== null).join('\n') }],
			},
			{
				id: 'fritzbox', label: 'FRITZ!Box',
				intro: 'Internet → Permit Access → DynDNS, provider "User-defined" (both families and the LAN prefix in one request):',
				fields: [
					['Update-URL', upd(names.both) + '?hostname=<domain>&myip=<ipaddr>,<ip6addr>&ip6lanprefix=<ip6lanprefix>'],
					['Domain name', host],
					['User name', host],
					['Password', token],
				],
			},
			{
				id: 'openwrt', label: 'OpenWrt',
				blocks: [{ note: 'In /etc/config/ddns (package ddns-scripts), then /etc/init.d/ddns restart:',
					text: fams.map(([fam, name]) => [
						"config service 'dynzone_v" + fam + "'",
						"\toption enabled '1'",
						"\toption use_ipv6 '" + (fam === '6' ? 1 : 0) + "'",
						"\toption lookup_host '" + host + "'",
						"\toption domain '" + host + "'",
						"\toption username '" + host + "'",
						"\toption password '" + token + "'",
						"\toption update_url '" + scheme + '://[USERNAME]:[PASSWORD]@' + name +
							"/nic/update?hostname=[DOMAIN]&myip=[IP]'",
						tls ? "\toption use_https '1'" : null,
						"\toption ip_source 'network'",
						"\toption ip_network '" + (fam === '6' ? 'wan6' : 'wan') + "'",
						"\toption interface '" + (fam === '6' ? 'wan6' : 'wan') + "'",
						"\toption check_interval '5'",
						"\toption check_unit 'minutes'",
					].filter((l) => l !== null).join('\n')).join('\n\n') },
				{ note: 'For devices behind this router that follow its IPv6 prefix (prefix hosts): ' +
					'ddns-scripts cannot send a prefix, so a hotplug script sends the LAN prefix ' +
					'OpenWrt assigned to br-lan whenever wan6 comes up or changes. ' +
					'In /etc/hotplug.d/iface/95-dynzone-prefix:',
				text: [
					'#!/bin/sh',
					'[ "$INTERFACE" = wan6 ] || exit 0',
					'[ "$ACTION" = ifup ] || [ "$ACTION" = ifupdate ] || exit 0',
					'. /usr/share/libubox/jshn.sh',
					'json_load "$(ubus call network.interface.lan status)"',
					'json_select ipv6-prefix-assignment && json_select 1 || exit 0',
					'json_get_var addr address',
					'json_get_var mask mask',
					"uclient-fetch -q -O - --user='" + host + "' --password='" + token + "' \\",
					'  "' + upd(names.both) + '?hostname=' + host + '&ip6lanprefix=$addr/$mask"',
				].join('\n') }],
			},
		].map((s) => Object.assign(s, { server: bare, port }));
	}

	let tokenSeq = 0;
	/* Show a new token once, with copy buttons and settings per client.
	 * slot: the element to put the panel in. */
	function showToken(slot, host, token) {
		const tpl = $('tpl-token').content.firstElementChild.cloneNode(true);
		const seq = ++tokenSeq;
		tpl.setAttribute('aria-labelledby', 'token-h-' + seq);
		tpl.querySelector('h2').id = 'token-h-' + seq;
		setText(tpl.querySelector('h2'), 'New update token for ' + host);
		const val = tpl.querySelector('.token-value');
		val.textContent = token;
		const copyBtn = tpl.querySelector('.copy-token');
		copyBtn.addEventListener('click', () => copyText(token, copyBtn));
		const tabs = tpl.querySelector('.tabs');
		const panels = tpl.querySelector('.tabpanels');
		const list = snippets(host, token);
		const tabEls = [];
		list.forEach((s, i) => {
			const tabId = 'tab-' + seq + '-' + s.id;
			const panelId = 'panel-' + seq + '-' + s.id;
			const tab = h('button', { type: 'button', class: 'tab', role: 'tab', id: tabId,
				'aria-controls': panelId, 'aria-selected': i === 0 ? 'true' : 'false',
				tabindex: i === 0 ? '0' : '-1', 'data-client': s.id }, s.label);
			const panel = h('div', { class: 'tabpanel', role: 'tabpanel', id: panelId,
				'aria-labelledby': tabId, tabindex: '0', hidden: i !== 0 });
			if (s.intro) panel.append(h('p', {}, s.intro));
			for (const b of s.blocks || []) {
				panel.append(h('p', {}, b.note));
				const btn = h('button', { type: 'button', class: 'btn btn-small copy-snippet',
					'aria-label': 'Copy ' + s.label + ' settings' }, 'Copy');
				btn.addEventListener('click', () => copyText(b.text, btn));
				panel.append(h('div', { class: 'snippet' }, h('pre', { 'data-client': s.id }, b.text), btn));
			}
			if (s.fields) {
				const dl = h('dl', { class: 'kv' });
				for (const [k, v] of s.fields) {
					const btn = h('button', { type: 'button', class: 'btn btn-small',
						'aria-label': 'Copy ' + k }, 'Copy');
					btn.addEventListener('click', () => copyText(v, btn));
					dl.append(h('dt', {}, k), h('dd', { class: 'fieldcopy' },
						h('code', { class: 'break' }, v), ' ', btn));
				}
				panel.append(dl);
			}
			tabs.append(tab);
			panels.append(panel);
			tabEls.push([tab, panel]);
		});
		function select(i, focus) {
			tabEls.forEach(([t, p], j) => {
				t.setAttribute('aria-selected', i === j ? 'true' : 'false');
				t.tabIndex = i === j ? 0 : -1;
				p.hidden = i !== j;
			});
			if (focus) tabEls[i][0].focus();
		}
		tabEls.forEach(([t], i) => {
			t.addEventListener('click', () => select(i, false));
			t.addEventListener('keydown', (e) => {
				const n = tabEls.length;
				if (e.key === 'ArrowRight') { select((i + 1) % n, true); e.preventDefault(); }
				else if (e.key === 'ArrowLeft') { select((i + n - 1) % n, true); e.preventDefault(); }
				else if (e.key === 'Home') { select(0, true); e.preventDefault(); }
				else if (e.key === 'End') { select(n - 1, true); e.preventDefault(); }
			});
		});
		tpl.querySelector('.close-token').addEventListener('click', () => {
			tpl.remove();
			$('main').focus();
		});
		slot.replaceChildren(tpl);
		tpl.scrollIntoView({ block: 'nearest' });
		tpl.focus();
	}

	/* ---- views ------------------------------------------------------ */

	const views = ['auth', 'hosts', 'host', 'admin', 'account'];
	function showView(name) {
		for (const v of views) $('view-' + v).hidden = v !== name;
		state.view = name;
		$('nav').hidden = !state.user;
		for (const a of document.querySelectorAll('#nav a')) {
			if (a.dataset.view === name || (name === 'host' && a.dataset.view === 'hosts'))
				a.setAttribute('aria-current', 'page');
			else
				a.removeAttribute('aria-current');
		}
	}

	function afterLogin(data) {
		state.user = data.user;
		state.csrf = data.csrf;
		state.zones = data.zones || [];
		setText($('who'), data.user.name);
		$('nav-admin').hidden = !data.user.admin;
	}

	/* log in / sign up */
	function renderAuth(mode) {
		showView('auth');
		const signup = mode === 'signup' && state.signup !== 'closed';
		$('login-form').hidden = signup;
		$('signup-form').hidden = !signup;
		$('to-signup-p').hidden = state.signup === 'closed';
		$('signup-closed').hidden = !(mode === 'signup' && state.signup === 'closed');
		$('invite-field').hidden = state.signup !== 'invite';
		setText($('auth-title'), signup ? 'Create an account' : 'Log in');
		document.title = (signup ? 'Sign up' : 'Log in') + ' – dynzone';
		(signup ? $('signup-user') : $('login-user')).focus();
	}

	async function onLogin(e) {
		e.preventDefault();
		showError('login-error', null);
		const body = { user: $('login-user').value.trim(), password: $('login-password').value };
		const btn = e.submitter || e.target.querySelector('button[type=submit]');
		btn.disabled = true;
		try {
			const data = await api('POST', '/login', body);
			afterLogin(data);
			$('login-password').value = '';
			location.hash = '#/hosts';
			route();
		} catch (err) {
			showError('login-error', err);
		} finally {
			btn.disabled = false;
		}
	}

	async function onSignup(e) {
		e.preventDefault();
		showError('signup-error', null);
		const body = { user: $('signup-user').value.trim(), password: $('signup-password').value };
		if (state.signup === 'invite') body.invite = $('signup-invite').value.trim();
		const btn = e.target.querySelector('button[type=submit]');
		btn.disabled = true;
		try {
			const data = await api('POST', '/signup', body);
			afterLogin(data);
			$('signup-password').value = '';
			flash('Welcome, ' + data.user.name + '! Add your first host below.');
			location.hash = '#/hosts';
			route();
		} catch (err) {
			showError('signup-error', err);
		} finally {
			btn.disabled = false;
		}
	}

	async function onLogout() {
		try { await api('POST', '/logout'); } catch (e) { /* gone anyway */ }
		state.user = null;
		state.csrf = '';
		state.hosts.clear();
		$('hosts').replaceChildren();
		location.hash = '#/login';
	}

	/* the host list ------------------------------------------------- */

	function hostHref(name) {
		return '#/host/' + encodeURIComponent(name);
	}

	function seenText(d) {
		const last = d.last_update;
		if (!last) return d.updated ? 'Changed ' + ago(d.updated) : 'Never updated';
		let s = 'Last updated ' + ago(last.time);
		if (last.client) s += ' from ' + last.client;
		return s;
	}

	function fillValue(dd, value) {
		const text = value || 'none';
		if (dd.textContent !== text) {
			const had = dd.textContent !== '';
			dd.textContent = text;
			dd.classList.toggle('none', !value);
			if (had && value) flashEl(dd);
		}
	}

	/* Highlight a changed value once (the class goes when the animation
	 * ends, so showing the view again does not replay it). */
	function flashEl(el) {
		el.classList.remove('flashy');
		void el.offsetWidth;      /* restart the animation */
		el.classList.add('flashy');
	}
	document.addEventListener('animationend', (e) => e.target.classList.remove('flashy'));

	function renderHostCard(entry, d) {
		const el = entry.el;
		fillValue(el.querySelector('.v4'), d.ipv4);
		fillV6(el.querySelector('.v6'), d.ipv6, d.prefix_len);
		el.querySelector('.lan-row').hidden = !d.lan_prefix;
		fillValue(el.querySelector('.lan'), d.lan_prefix);
		el.querySelector('.follow-row').hidden = !d.prefix_of;
		fillValue(el.querySelector('.follows'), d.prefix_of ? fqdn(d.prefix_of) + ' · interface ' + d.iid : '');
		el.classList.toggle('follower', !!d.prefix_of);
		const txt = (d.txt || []).join('  ');
		el.querySelector('.txt-row').hidden = !txt;
		fillValue(el.querySelector('.txt'), txt);
		el.querySelector('.badge').hidden = !d.offline;
		const seen = el.querySelector('.seen');
		setText(seen, seenText(d));
		if (d.last_update) seen.title = when(d.last_update.time) + (d.last_update.agent ? ' · ' + d.last_update.agent : '');
		entry.data = d;
	}

	function newHostCard(d) {
		const el = $('tpl-host').content.firstElementChild.cloneNode(true);
		const name = fqdn(d.name);
		const a = el.querySelector('.host-name');
		a.textContent = name;
		a.setAttribute('href', hostHref(name));
		el.querySelector('.link-details').setAttribute('href', hostHref(name));
		el.querySelector('.link-details').setAttribute('aria-label', 'Details of ' + name);
		el.dataset.host = name;
		const rot = el.querySelector('.act-rotate');
		rot.setAttribute('aria-label', 'Rotate the token of ' + name);
		rot.addEventListener('click', () => rotate(name, $('token-panel-slot'), rot));
		const del = el.querySelector('.act-delete');
		del.setAttribute('aria-label', 'Delete ' + name);
		del.addEventListener('click', () => removeHost(name));
		return { el, data: null };
	}

	/* Server order, except that followers come right after their router. */
	function withFollowers(list) {
		const names = new Set(list.map((d) => fqdn(d.name)));
		const under = new Map();
		const led = (d) => d.prefix_of && names.has(fqdn(d.prefix_of));
		for (const d of list) {
			if (!led(d)) continue;
			const r = fqdn(d.prefix_of);
			if (!under.has(r)) under.set(r, []);
			under.get(r).push(d);
		}
		const out = [];
		for (const d of list) {
			if (led(d)) continue;
			out.push(d, ...(under.get(fqdn(d.name)) || []));
		}
		return out;
	}

	/* A select of the user's hosts a host may follow (routers: hosts that
	 * follow none), keeping the choice. */
	function fillRouters(sel, noneText, except) {
		const cur = sel.value;
		const opts = [h('option', { value: '' }, noneText)];
		for (const d of state.list) {
			const n = fqdn(d.name);
			if (!d.prefix_of && n !== except) opts.push(h('option', { value: n }, n));
		}
		sel.replaceChildren(...opts);
		if ([...sel.options].some((o) => o.value === cur)) sel.value = cur;
	}

	function renderHosts(list) {
		state.list = list;
		fillRouters($('add-router'), 'no router (updates itself)', '');
		list = withFollowers(list);
		const ul = $('hosts');
		const seen = new Set();
		let prev = null;
		for (const d of list) {
			const name = fqdn(d.name);
			seen.add(name);
			let entry = state.hosts.get(name);
			if (!entry) {
				entry = newHostCard(d);
				state.hosts.set(name, entry);
			}
			renderHostCard(entry, d);
			/* keep server order without moving focused nodes needlessly */
			const want = prev ? prev.nextSibling : ul.firstChild;
			if (want !== entry.el) ul.insertBefore(entry.el, want);
			prev = entry.el;
		}
		for (const [name, entry] of state.hosts) {
			if (!seen.has(name)) {
				entry.el.remove();
				state.hosts.delete(name);
			}
		}
		$('hosts-empty').hidden = list.length !== 0;
	}

	async function loadHosts() {
		const data = await api('GET', '/hosts');
		renderHosts(data.hosts);
		setLive(true);
	}

	function fillZones() {
		const sel = $('add-zone');
		const cur = sel.value;
		sel.replaceChildren(...state.zones.map((z) => h('option', { value: fqdn(z) }, fqdn(z))));
		if (state.zones.some((z) => fqdn(z) === cur)) sel.value = cur;
		const none = state.zones.length === 0;
		$('no-zones').hidden = !none;
		for (const el of $('add-form').querySelectorAll('input, select, button')) el.disabled = none;
	}

	async function renderHostsView() {
		showView('hosts');
		document.title = 'Hosts – dynzone';
		fillZones();
		try {
			/* an admin may have opened a zone since the log-in */
			const me = await api('GET', '/me');
			state.zones = me.zones || [];
			fillZones();
			await loadHosts();
		} catch (err) {
			if (err.status !== 401) flash(err.message, true);
		}
	}

	async function onAdd(e) {
		e.preventDefault();
		showError('add-error', null);
		const input = $('add-name');
		const label = input.value.trim().toLowerCase();
		input.setAttribute('aria-invalid', 'false');
		if (!label) {
			input.setAttribute('aria-invalid', 'true');
			showError('add-error', new Error('Give the host a name.'));
			input.focus();
			return;
		}
		const btn = e.target.querySelector('button[type=submit]');
		btn.disabled = true;
		try {
			const body = { name: label, zone: $('add-zone').value };
			if ($('add-router').value) {
				body.prefix_of = $('add-router').value;
				body.iid = $('add-iid').value.trim();
				body.prefix_len = Number($('add-plen').value) || 64;
			}
			const data = await api('POST', '/hosts', body);
			input.value = '';
			$('add-iid').value = '';
			$('add-router').value = '';
			await loadHosts();
			showToken($('token-panel-slot'), fqdn(data.host.name), data.token);
		} catch (err) {
			if (err.code === 'invalid_name' || err.code === 'exists') input.setAttribute('aria-invalid', 'true');
			showError('add-error', err);
			input.focus();
		} finally {
			btn.disabled = false;
		}
	}

	async function rotate(name, slot, btn) {
		if (btn) btn.disabled = true;
		try {
			const data = await api('POST', '/hosts/' + encodeURIComponent(name) + '/tokens/rotate');
			showToken(slot, name, data.token);
			flash('Old tokens of ' + name + ' revoked (' + data.revoked + ').');
			if (state.view === 'host') loadHost(name);
		} catch (err) {
			flash(err.message, true);
		} finally {
			if (btn) btn.disabled = false;
		}
	}

	async function removeHost(name) {
		if (!window.confirm('Delete ' + name + '? Its records, tokens and history are removed.')) return;
		try {
			await api('DELETE', '/hosts/' + encodeURIComponent(name));
			flash(name + ' deleted.');
			if (state.view === 'host') location.hash = '#/hosts';
			else await loadHosts();
		} catch (err) {
			flash(err.message, true);
		}
	}

	/* one host ------------------------------------------------------ */

	let hostName = '';
	let hostSig = '';
	function kvRow(dl, key, value, mono) {
		dl.append(h('dt', {}, key), h('dd', { class: (mono ? 'mono ' : '') + (value ? '' : 'none') }, value || 'none'));
	}

	async function loadHost(name) {
		const enc = encodeURIComponent(name);
		const all = $('history-all').checked ? '?all=1' : '';
		const [hd, hist] = await Promise.all([
			api('GET', '/hosts/' + enc),
			api('GET', '/hosts/' + enc + '/history' + all),
		]);
		if (name !== hostName) return;
		const d = hd.host;
		const sig = JSON.stringify([d, hist.history]);
		setLive(true);
		if (sig === hostSig) { refreshTimes(); return; }
		const first = hostSig === '';
		hostSig = sig;
		if (first) fillFollow(d);
		const dl = $('host-values');
		dl.replaceChildren();
		kvRow(dl, 'A', d.ipv4, true);
		kvRow(dl, 'AAAA', d.ipv6, true);
		if (d.ipv6) fillV6(dl.lastChild, d.ipv6, d.prefix_len);
		if (d.lan_prefix) kvRow(dl, 'LAN prefix', d.lan_prefix, true);
		if (d.prefix_of) kvRow(dl, 'Follows', fqdn(d.prefix_of) + ' · interface ' + d.iid + ' · /' + d.prefix_len);
		if (d.wildcard) kvRow(dl, 'Wildcard', '*.' + name + ' answers the same addresses');
		kvRow(dl, 'TXT', (d.txt || []).join('  '), true);
		kvRow(dl, 'Status', d.offline ? 'offline (addresses withheld)' : 'online');
		kvRow(dl, 'TTL', d.ttl + ' s');
		const last = d.last_update;
		kvRow(dl, 'Last update', last ? ago(last.time) + ' from ' + last.client + (last.agent ? ' · ' + last.agent : '') : 'never');
		kvRow(dl, 'Created', when(d.created));
		if (first) fillSettings(d);
		if (!first) {
			const old = dl.dataset.vals ? JSON.parse(dl.dataset.vals) : [];
			dl.querySelectorAll('dd.mono').forEach((dd, i) => { if (old[i] !== dd.textContent) flashEl(dd); });
		}
		dl.dataset.vals = JSON.stringify(Array.from(dl.querySelectorAll('dd.mono'), (dd) => dd.textContent));

		const ul = $('host-tokens');
		ul.replaceChildren();
		for (const t of d.tokens || []) {
			const btn = h('button', { type: 'button', class: 'btn btn-small btn-danger',
				'aria-label': 'Revoke token ' + t.id }, 'Revoke');
			btn.addEventListener('click', () => revokeToken(name, t.id));
			ul.append(h('li', {},
				h('div', {}, h('code', {}, t.id + '…'),
					h('div', { class: 'tmeta muted' }, 'created ' + when(t.created) + ' · ' +
						(t.last_used ? 'last used ' + ago(t.last_used) : 'never used'))),
				btn));
		}
		if (!(d.tokens || []).length) ul.append(h('li', { class: 'muted' }, 'No token: this host cannot be updated until you make one.'));

		const ol = $('history');
		ol.replaceChildren();
		for (const r of hist.history) {
			const cls = r.result === 'good' ? 'r-good' : r.result === 'nochg' ? 'r-nochg' : 'r-bad';
			ol.append(h('li', { class: cls },
				h('div', { class: 't-when' }, timeEl(r.time), h('span', { class: 'result' }, r.result)),
				h('div', { class: 't-what' }, r.addrs || '(no address)'),
				h('div', { class: 't-from' }, 'from ' + (r.client || '?') + (r.agent ? ' · ' + r.agent : ''))));
		}
		$('history-empty').hidden = hist.history.length !== 0;
	}

	/* per-host settings ------------------------------------------------ */

	function fillSettings(d) {
		$('set-ttl').defaultValue = $('set-ttl').value = String(d.ttl);
		$('set-wildcard').defaultChecked = $('set-wildcard').checked = !!d.wildcard;
		setText($('set-wildcard-name'), '*.' + fqdn(d.name));
		$('set-ipv4').defaultValue = $('set-ipv4').value = d.ipv4 || '';
		$('set-ipv6').defaultValue = $('set-ipv6').value = d.ipv6 || '';
		$('settings-error').hidden = true;
	}

	async function patchHost(body, btn) {
		btn.disabled = true;
		$('settings-error').hidden = true;
		try {
			const data = await api('PATCH', '/hosts/' + encodeURIComponent(hostName), body);
			fillSettings(data.host);
			flash('Settings of ' + fqdn(data.host.name) + ' saved.');
			hostSig = '';
			await loadHost(hostName);
		} catch (err) {
			if (err.status !== 401) showError('settings-error', err);
		} finally {
			btn.disabled = false;
		}
	}

	/* Send only what the user changed: an untouched address field must not
	 * undo an update that came in meanwhile. */
	function onSettings(e) {
		e.preventDefault();
		const form = $('settings-form');
		const body = {};
		if ($('set-ttl').value !== $('set-ttl').defaultValue) body.ttl = Number($('set-ttl').value);
		if ($('set-wildcard').checked !== $('set-wildcard').defaultChecked) body.wildcard = $('set-wildcard').checked;
		for (const f of ['ipv4', 'ipv6']) {
			const el = $('set-' + f);
			if (el.value.trim() !== el.defaultValue) body[f] = el.value.trim();
		}
		if (!Object.keys(body).length) { flash('Nothing changed.'); return; }
		patchHost(body, form.querySelector('button[type=submit]'));
	}

	/* The host's prefix form, from its data (on first load and after a
	 * save, so polling never overwrites what the user is typing). */
	function fillFollow(d) {
		const name = fqdn(d.name);
		fillRouters($('follow-router'), 'no router', name);
		$('follow-router').value = d.prefix_of ? fqdn(d.prefix_of) : '';
		$('follow-iid').value = d.iid || '';
		$('follow-plen').value = String(d.prefix_len || 64);
		$('follow-prefer').value = d.prefer || 'prefix';
		$('follow-stop').hidden = !d.prefix_of;
		const fol = (d.followers || []).map(fqdn);
		const lan = $('follow-lan');
		lan.hidden = !(d.lan_prefix || fol.length);
		lan.textContent = (d.lan_prefix ? 'LAN prefix from its last update: ' + d.lan_prefix + '. ' : '') +
			(fol.length ? 'Followed by ' + fol.join(', ') + ' (a router cannot follow another).' : '');
		for (const el of $('follow-form').querySelectorAll('input, select, button')) el.disabled = fol.length > 0;
		showError('follow-error', null);
	}

	async function saveFollow(body) {
		showError('follow-error', null);
		try {
			const data = await api('PATCH', '/hosts/' + encodeURIComponent(hostName), body);
			flash(body.prefix_of === null ? hostName + ' no longer follows a prefix.' : 'Saved.');
			hostSig = '';
			fillFollow(data.host);
			await loadHost(hostName);
		} catch (err) {
			showError('follow-error', err);
		}
	}

	function onFollow(e) {
		e.preventDefault();
		const router = $('follow-router').value;
		if (!router) { saveFollow({ prefix_of: null }); return; }
		const body = { prefix_of: router, prefix_len: Number($('follow-plen').value) || 64,
			prefer: $('follow-prefer').value };
		const iid = $('follow-iid').value.trim();
		if (iid) body.iid = iid;
		saveFollow(body);
	}

	function refreshTimes() {
		for (const t of document.querySelectorAll('time[data-t]')) setText(t, ago(Number(t.dataset.t)));
	}

	async function revokeToken(name, id) {
		if (!window.confirm('Revoke token ' + id + '? Devices using it stop updating.')) return;
		try {
			await api('DELETE', '/hosts/' + encodeURIComponent(name) + '/tokens/' + encodeURIComponent(id));
			flash('Token ' + id + ' revoked.');
			hostSig = '';
			await loadHost(name);
		} catch (err) {
			flash(err.message, true);
		}
	}

	async function renderHostView(name) {
		showView('host');
		document.title = name + ' – dynzone';
		if (hostName !== name) {
			$('host-token-slot').replaceChildren();
			$('host-values').replaceChildren();
			$('history').replaceChildren();
			$('host-tokens').replaceChildren();
		}
		hostName = name;
		hostSig = '';
		setText($('host-title'), name);
		try {
			/* the routers it may follow */
			state.list = (await api('GET', '/hosts')).hosts;
			await loadHost(name);
		} catch (err) {
			if (err.status === 404) {
				flash('No such host: ' + name, true);
				location.hash = '#/hosts';
			} else if (err.status !== 401) {
				flash(err.message, true);
			}
		}
	}

	async function hostNewToken() {
		const btn = $('host-newtoken');
		btn.disabled = true;
		try {
			const data = await api('POST', '/hosts/' + encodeURIComponent(hostName) + '/tokens');
			showToken($('host-token-slot'), hostName, data.token);
			hostSig = '';
			await loadHost(hostName);
		} catch (err) {
			flash(err.message, true);
		} finally {
			btn.disabled = false;
		}
	}

	/* admin --------------------------------------------------------- */

	async function renderAdmin() {
		if (!state.user.admin) { location.hash = '#/hosts'; return; }
		showView('admin');
		document.title = 'Admin – dynzone';
		try {
			const [z, u] = await Promise.all([api('GET', '/zones'), api('GET', '/users')]);
			const zb = $('zones-table').tBodies[0];
			zb.replaceChildren(...z.zones.map((r) => h('tr', {},
				h('td', { class: 'mono' }, fqdn(r.name)), h('td', {}, r.serial),
				h('td', {}, r.hosts), h('td', {}, r.open ? 'yes' : 'no'))));
			const ub = $('users-table').tBodies[0];
			ub.replaceChildren(...u.users.map((r) => h('tr', {},
				h('td', {}, r.name), h('td', {}, r.admin ? 'admin' : 'user'),
				h('td', {}, r.hosts), h('td', { class: 'mono' }, r.zones.map(fqdn).join(', ') || '–'),
				h('td', {}, when(r.created)))));
			const keep = (sel, opts) => {
				const cur = sel.value;
				sel.replaceChildren(...opts.map((o) => h('option', { value: o }, o)));
				if (opts.includes(cur)) sel.value = cur;
			};
			keep($('grant-user'), u.users.map((r) => r.name));
			keep($('grant-zone'), z.zones.map((r) => fqdn(r.name)));
		} catch (err) {
			if (err.status !== 401) flash(err.message, true);
		}
	}

	async function onZone(e) {
		e.preventDefault();
		showError('zone-error', null);
		try {
			await api('POST', '/zones', { name: $('zone-name').value.trim(), ns: $('zone-ns').value.trim() });
			$('zone-name').value = '';
			$('zone-ns').value = '';
			flash('Zone added.');
			renderAdmin();
		} catch (err) {
			showError('zone-error', err);
		}
	}

	async function grant(on) {
		showError('grant-error', null);
		const user = $('grant-user').value, zone = $('grant-zone').value;
		try {
			if (on) await api('POST', '/users/' + encodeURIComponent(user) + '/zones', { zone });
			else await api('DELETE', '/users/' + encodeURIComponent(user) + '/zones/' + encodeURIComponent(zone));
			flash((on ? 'Granted ' : 'Revoked ') + zone + (on ? ' to ' : ' from ') + user + '.');
			renderAdmin();
		} catch (err) {
			showError('grant-error', err);
		}
	}

	async function onInvite() {
		try {
			const data = await api('POST', '/invites');
			$('invite-code').textContent = data.code;
			$('invite-out').hidden = false;
		} catch (err) {
			flash(err.message, true);
		}
	}

	/* account -------------------------------------------------------- */

	function renderAccount() {
		showView('account');
		document.title = 'Account – dynzone';
		$('password-user').value = state.user.name;
	}

	async function onPassword(e) {
		e.preventDefault();
		showError('password-error', null);
		const btn = $('password-btn');
		btn.disabled = true;
		try {
			await api('POST', '/me/password', { current: $('password-current').value,
				password: $('password-new').value });
			$('password-current').value = '';
			$('password-new').value = '';
			flash('Password changed. Your other sessions have ended.');
		} catch (err) {
			showError('password-error', err);
		} finally {
			btn.disabled = false;
		}
	}

	/* ---- live view: poll while the page is visible ------------------ */

	function setLive(ok) {
		for (const el of document.querySelectorAll('.live')) {
			el.classList.toggle('stale', !ok);
			el.lastChild.textContent = ok ? 'live' : 'offline';
		}
	}

	async function poll() {
		state.timer = 0;
		if (document.visibilityState === 'visible' && state.user && !state.polling) {
			state.polling = true;
			try {
				if (state.view === 'hosts') await loadHosts();
				else if (state.view === 'host') await loadHost(hostName);
			} catch (err) {
				setLive(false);
			} finally {
				state.polling = false;
			}
		}
		schedule();
	}

	function schedule() {
		clearTimeout(state.timer);
		state.timer = setTimeout(poll, POLL_MS);
	}

	/* ---- routing ---------------------------------------------------- */

	async function route() {
		const hash = location.hash || '#/hosts';
		const parts = hash.slice(2).split('/');
		if (!state.user) {
			renderAuth(parts[0] === 'signup' ? 'signup' : 'login');
			return;
		}
		if (parts[0] === 'host' && parts[1]) renderHostView(decodeURIComponent(parts[1]));
		else if (parts[0] === 'admin') renderAdmin();
		else if (parts[0] === 'account') renderAccount();
		else {
			if (hash !== '#/hosts') history.replaceState(null, '', '#/hosts');
			renderHostsView();
		}
	}

	async function start() {
		$('login-form').addEventListener('submit', onLogin);
		$('signup-form').addEventListener('submit', onSignup);
		$('logout').addEventListener('click', onLogout);
		$('add-form').addEventListener('submit', onAdd);
		$('host-newtoken').addEventListener('click', hostNewToken);
		$('host-rotate').addEventListener('click', () => rotate(hostName, $('host-token-slot'), $('host-rotate')));
		$('host-delete').addEventListener('click', () => removeHost(hostName));
		$('follow-form').addEventListener('submit', onFollow);
		$('follow-stop').addEventListener('click', () => saveFollow({ prefix_of: null }));
		$('history-all').addEventListener('change', () => { hostSig = ''; loadHost(hostName).catch(() => {}); });
		$('zone-form').addEventListener('submit', onZone);
		$('password-form').addEventListener('submit', onPassword);
		$('grant-form').addEventListener('submit', (e) => { e.preventDefault(); grant(true); });
		$('revoke-btn').addEventListener('click', () => grant(false));
		$('invite-btn').addEventListener('click', onInvite);
		$('settings-form').addEventListener('submit', onSettings);
		$('set-myip').addEventListener('click', () => patchHost({ myip: true }, $('set-myip')));
		$('invite-copy').addEventListener('click', () => copyText($('invite-code').textContent, $('invite-copy')));
		window.addEventListener('hashchange', route);
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') poll();
		});

		try {
			const info = await api('GET', '/info');
			state.signup = info.signup;
			state.updateName = info.update_name || '';
		} catch (e) { /* keep 'closed' */ }
		try {
			afterLogin(await api('GET', '/me'));
		} catch (e) {
			state.user = null;
		}
		document.body.classList.add('ready');
		route();
		schedule();
	}

	start();
})();
