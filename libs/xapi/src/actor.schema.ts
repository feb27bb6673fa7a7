import { z } from 'zod';
import { irlSchema, iriSchema, mailtoSchema, sha1Schema } from './common.schema';

// Data 2.4.2: Agents and Groups, identified by exactly one Inverse Functional Identifier (IFI).

export const IFI_PROPERTIES = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
export type IfiProperty = (typeof IFI_PROPERTIES)[number];

/** Data 2.4.2.4: account with an IRL homePage and a name. */
export const accountSchema = z.strictObject({
  homePage: irlSchema,
  name: z.string(),
});

const ifiShape = {
  mbox: mailtoSchema.optional(),
  mbox_sha1sum: sha1Schema.optional(),
  openid: iriSchema.optional(),
  account: accountSchema.optional(),
};

function presentIfis(value: Record<string, unknown>): IfiProperty[] {
  return IFI_PROPERTIES.filter((key) => value[key] !== undefined);
}

// Cross-property rules run even when a property failed its own check, so every problem is reported at once.
const always = { when: () => true } as const;

export const agentSchema = z
  .strictObject({
    objectType: z.literal('Agent').optional(),
    name: z.string().optional(),
    ...ifiShape,
  })
  .superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null) return;
    const found = presentIfis(value);
    if (found.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        params: { rule: 'agent.ifi' },
        message:
          `an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found ${found.length}` +
          (found.length > 1 ? `: ${found.join(', ')})` : ')'),
      });
    }
  }, always);

export const groupSchema = z
  .strictObject({
    objectType: z.literal('Group'),
    name: z.string().optional(),
    member: z.array(agentSchema).optional(),
    ...ifiShape,
  })
  .superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null) return;
    const found = presentIfis(value);
    if (found.length > 1) {
      ctx.addIssue({
        code: 'custom',
        params: { rule: 'group.ifi' },
        message: `an identified Group must have exactly one of mbox, mbox_sha1sum, openid, account (found ${found.length}: ${found.join(', ')})`,
      });
    }
    if (found.length === 0 && value.member === undefined) {
      ctx.addIssue({
        code: 'custom',
        params: { rule: 'group.anonymous-member' },
        message: 'an anonymous Group (no mbox, mbox_sha1sum, openid or account) must have a member list',
      });
    }
  }, always);

/** Agent or Group; a missing objectType means Agent (Data 2.4.2.1). */
export const actorSchema = z.discriminatedUnion('objectType', [agentSchema, groupSchema]);

/** As the object of a Statement an Agent must state its objectType (Data 2.4.4.2). */
export const agentObjectSchema = agentSchema.safeExtend({ objectType: z.literal('Agent') });

/**
 * Data 2.4.9: an Agent, or in 3-legged OAuth an anonymous Group of exactly two Agents (application and user).
 */
export const authoritySchema = z.discriminatedUnion('objectType', [
  agentSchema,
  groupSchema.superRefine((value, ctx) => {
    if (typeof value !== 'object' || value === null) return;
    const found = presentIfis(value);
    if (found.length > 0) {
      ctx.addIssue({
        code: 'custom',
        params: { rule: 'authority.anonymous-group' },
        message: `an authority Group must be an anonymous Group of the OAuth application and user (found ${found.join(', ')})`,
      });
    }
    const count = Array.isArray(value.member) ? value.member.length : 0;
    if (count !== 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['member'],
        params: { rule: 'authority.group-of-two' },
        message: `an authority Group must have exactly two Agents, the application and the user (found ${count})`,
      });
    }
  }, always),
]);

export type Account = z.infer<typeof accountSchema>;
export type Agent = z.infer<typeof agentSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type Authority = z.infer<typeof authoritySchema>;
