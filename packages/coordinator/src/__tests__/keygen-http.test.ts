/** copr-keygen's gen_key request validation, with the bodies Copr's backend sends (copr_backend/sign.py create_user_keys). */
import { describe, expect, it } from 'vitest';
import { validateGenKey } from '../keygen-http.js';

describe('validateGenKey', () => {
  it("accepts Copr's USER#PROJECT@copr.DOMAIN key names, also for group owners (@GROUP#PROJECT)", () => {
    for (const body of [
      { name_real: 'Copr user', name_email: 'user#p2@copr.fedorahosted.org' },
      { name_real: 'user_p2', name_email: 'user#p2@copr.fedorahosted.org' },
      { name_real: '@python_python3.8', name_email: '@python#python3.8@copr.fedorahosted.org' },
      { name_real: 'frostuser_my-proj_x', name_email: 'frostuser#my-proj_x@copr.fedorahosted.org' },
    ]) expect(validateGenKey(JSON.parse(JSON.stringify(body)))).toEqual({ nameReal: body.name_real, email: body.name_email });
  });

  it('refuses what is not an email, saying which field is wrong', () => {
    for (const name_email of ['notanemail', 'a b@example.org', 'a+b@example.org', 'user#p@localhost', 'a@@example.org', 'a@b@example.org', '']) {
      expect(validateGenKey({ name_real: 'x', name_email })).toMatch(/^name_email must be an email address/);
    }
    expect(validateGenKey({ name_email: 'a@example.org' })).toMatch(/^name_real/);
    expect(validateGenKey([])).toMatch(/JSON object/);
  });
});
