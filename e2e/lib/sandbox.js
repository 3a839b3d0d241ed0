'use strict';
// The demo's sandbox seen from a test: its synthetic people (who to be in each run), the SMS
// outbox (where every OTP is read, over HTTP) and a registration through the JSON API for
// scenarios whose subject is not registration itself.

const assert = require('node:assert/strict');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.text();
  if (!response.ok) throw new Error(`${init && init.method || 'GET'} ${url}: ${response.status} ${body}`);
  return JSON.parse(body);
}

/** A person as the sandbox lists them, with the spellings the pages use. */
function withForms(person) {
  const national = (e164) => e164 && `0${e164.replace(/^\+84/, '')}`;
  const [year, month, day] = person.birth_date.split('-');
  return {
    ...person,
    birthDateDmy: `${day}/${month}/${year}`,
    phoneNational: national(person.phone),
    secondPhoneNational: national(person.second_phone),
  };
}

/** `0912345678` → `09******78`, as the pages show an OTP phone (first 2 and last 2 digits). */
function masked(national) {
  return `${national.slice(0, 2)}${'*'.repeat(national.length - 4)}${national.slice(-2)}`;
}

async function listPeople(base) {
  const people = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await getJson(`${base}/sandbox/people?limit=1000&offset=${offset}`);
    people.push(...page.people);
    if (page.people.length === 0 || people.length >= page.total) break;
  }
  return people.map(withForms);
}

/**
 * Hands out a different person to each run of a test file, so that no phone gets another
 * run's texts (the daily SMS cap is per phone) and no account is registered twice. The four
 * demo identities (the first four people) are left for people trying the demo by hand.
 */
class People {
  constructor(people) {
    this.people = people;
    this.usedIds = new Set();
    this.usedPhones = new Set();
    // How many people use each number: a phone lent to a relative is used by two.
    this.users = new Map();
    for (const person of people) this.users.set(person.phone, (this.users.get(person.phone) || 0) + 1);
  }

  static async load(base) {
    return new People(await listPeople(base));
  }

  phonesOf(person) {
    return [person.phone, person.second_phone].filter(Boolean);
  }

  /** The next unused person for whom `fits(person)` holds. */
  take(what, fits) {
    const person = this.people.slice(4).find((p) =>
      !this.usedIds.has(p.personal_id)
      && this.phonesOf(p).every((phone) => !this.usedPhones.has(phone))
      && fits(p, this));
    assert.ok(person, `no unused synthetic person who ${what}`);
    this.usedIds.add(person.personal_id);
    for (const phone of this.phonesOf(person)) this.usedPhones.add(phone);
    return person;
  }

  /** Someone whose phone is in their own name and used by nobody else. */
  owner(extra = () => true) {
    return this.take('owns their phone', (p) =>
      p.phone_owner_id === p.personal_id && this.users.get(p.phone) === 1 && extra(p));
  }

  /** Someone who owns their phone and has a second number in their own name. */
  ownerWithSecondPhone() {
    return this.owner((p) => p.second_phone !== null);
  }

  /** Someone who borrows a phone: it is registered to another person (a relative). */
  borrower() {
    return this.take('borrows a phone', (p) => p.phone_owner_id !== p.personal_id);
  }
}

/** The SMS outbox of the sandbox (newest first). */
class Outbox {
  constructor(base) {
    this.base = base;
  }

  async messages(phone) {
    const body = await getJson(`${this.base}/sandbox/sms?to=${encodeURIComponent(phone)}`);
    return body.messages;
  }

  async count(phone) {
    return (await this.messages(phone)).length;
  }

  /**
   * The code of the first text `phone` receives after it had `seen` texts; waits up to 10 s.
   * Reading the count before the action and the code after it never picks up an old code.
   */
  async otpAfter(phone, seen) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const messages = await this.messages(phone);
      if (messages.length > seen) {
        const oldestNew = messages[messages.length - seen - 1];
        const code = /\b(\d{6})\b/.exec(oldestNew.text);
        assert.ok(code, `no 6-digit code in the SMS "${oldestNew.text}"`);
        return code[1];
      }
      if (Date.now() > deadline) {
        assert.fail(`no new SMS to ${phone} within 10 s (it had ${seen}, has ${messages.length})`);
      }
      await sleep(100);
    }
  }
}

/** Registers `person` with `password` through the JSON API (the same engine as the pages). */
async function registerByApi(base, person, password) {
  const outbox = new Outbox(base);
  const json = { 'content-type': 'application/json', 'accept-language': 'vi' };
  const created = await getJson(`${base}/api/flows`, {
    method: 'POST', headers: json, body: JSON.stringify({ kind: 'register_phone' }),
  });
  const headers = { ...json, 'x-flow-token': created.flow_token };
  const act = async (action) => {
    const { flow } = await getJson(`${base}/api/flows/${created.flow.id}`, {
      method: 'POST', headers, body: JSON.stringify(action),
    });
    assert.deepEqual(flow.problems, [], `registration of ${person.personal_id} refused at ${action.action}`);
    return flow;
  };
  const seen = await outbox.count(person.phone);
  await act({
    action: 'register_phone',
    full_name: person.full_name,
    personal_id: person.personal_id,
    birth_date: person.birthDateDmy,
    gender: person.gender,
    phone: person.phoneNational,
    email: '',
  });
  await act({ action: 'otp', code: await outbox.otpAfter(person.phone, seen) });
  const done = await act({ action: 'set_password', password, confirm: password });
  assert.equal(`${done.step}/${done.result}`, 'done/registered', `registration of ${person.personal_id}`);
}

/**
 * The sandbox certificate authorities' certificates by role (`citizen`, `citizen_second`,
 * `citizen_revoked`, `business`, …), as /sandbox/pki.json lists them: holder, status,
 * validity and revocation.
 */
async function sandboxCertificates(base) {
  const { certificates } = await getJson(`${base}/sandbox/pki.json`);
  return new Map(certificates.map((certificate) => [certificate.role, certificate]));
}

module.exports = { People, Outbox, registerByApi, masked, sandboxCertificates };
