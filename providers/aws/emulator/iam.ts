import { randomBytes } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { type EmulatorEnv, route } from './router.ts'
import type { EmulatedRole } from './state.ts'
import { AwsFault, xmlEscape } from './wire.ts'

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/'

function xmlResponse(action: string, result: string, requestId: string): Response {
  const body = `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  return new HttpResponse(body, { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId } })
}

function roleXml(role: EmulatedRole): string {
  const tags = role.tags.map((tag) => `<member><Key>${xmlEscape(tag.Key)}</Key><Value>${xmlEscape(tag.Value)}</Value></member>`)
  return `<Role><Path>/</Path><RoleName>${role.name}</RoleName><RoleId>${role.roleId}</RoleId><Arn>${role.arn}</Arn><CreateDate>${role.createDate}</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(role.assumeRolePolicyDocument)}</AssumeRolePolicyDocument><Description>${xmlEscape(role.description)}</Description><Tags>${tags.join('')}</Tags></Role>`
}

function noSuchRole(name: string): AwsFault {
  return new AwsFault(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`)
}

function noSuchPolicy(roleName: string, policyName: string): AwsFault {
  return new AwsFault(404, 'NoSuchEntity', `The role policy with name ${policyName} cannot be found on role ${roleName}.`)
}

/** IAM's query protocol (form-encoded requests, XML answers), for the roles the provider manages. */
export function iamHandlers(env: EmulatorEnv) {
  const { state } = env
  // The operation is in the form body; a clone leaves the body for the handler.
  const formOf = async (request: Request) => new URLSearchParams(await request.clone().text())
  const actionOf = async (request: Request) => (await formOf(request)).get('Action') ?? 'Unknown'
  const handle = route(env, 'query-xml', actionOf, async ({ request, requestId }) => {
    const params = await formOf(request)
    const action = params.get('Action') ?? ''
    const roleName = params.get('RoleName') ?? ''
    const role = state.roles.get(roleName)
    switch (action) {
      case 'GetRole':
        if (!role) throw noSuchRole(roleName)
        return xmlResponse(action, roleXml(role), requestId)
      case 'CreateRole': {
        if (role) throw new AwsFault(409, 'EntityAlreadyExists', `Role with name ${roleName} already exists.`)
        if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new AwsFault(400, 'ValidationError', 'Invalid role name')
        const tags: EmulatedRole['tags'] = []
        for (let i = 1; params.has(`Tags.member.${i}.Key`); i++) {
          tags.push({ Key: params.get(`Tags.member.${i}.Key`) ?? '', Value: params.get(`Tags.member.${i}.Value`) ?? '' })
        }
        const created: EmulatedRole = {
          name: roleName,
          arn: `arn:aws:iam::${state.options.accountId}:role/${roleName}`,
          roleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}`,
          createDate: new Date().toISOString(),
          assumeRolePolicyDocument: params.get('AssumeRolePolicyDocument') ?? '',
          description: params.get('Description') ?? '',
          tags,
          attachedPolicies: new Set(),
          inlinePolicies: new Map(),
          assumableAt: state.options.stateClock.now() + state.options.roleDelayMs,
        }
        state.roles.set(roleName, created)
        return xmlResponse(action, roleXml(created), requestId)
      }
      case 'AttachRolePolicy':
        if (!role) throw noSuchRole(roleName)
        role.attachedPolicies.add(params.get('PolicyArn') ?? '')
        return xmlResponse(action, '', requestId)
      case 'DetachRolePolicy': {
        if (!role) throw noSuchRole(roleName)
        const policyArn = params.get('PolicyArn') ?? ''
        if (!role.attachedPolicies.delete(policyArn)) {
          throw new AwsFault(404, 'NoSuchEntity', `Policy ${policyArn} was not found.`)
        }
        return xmlResponse(action, '', requestId)
      }
      case 'PutRolePolicy': {
        if (!role) throw noSuchRole(roleName)
        const document = params.get('PolicyDocument') ?? ''
        try {
          JSON.parse(document)
        } catch {
          throw new AwsFault(400, 'MalformedPolicyDocument', 'Syntax errors in policy.')
        }
        role.inlinePolicies.set(params.get('PolicyName') ?? '', document)
        return xmlResponse(action, '', requestId)
      }
      case 'GetRolePolicy': {
        if (!role) throw noSuchRole(roleName)
        const policyName = params.get('PolicyName') ?? ''
        const document = role.inlinePolicies.get(policyName)
        if (document === undefined) throw noSuchPolicy(roleName, policyName)
        return xmlResponse(
          action,
          `<RoleName>${roleName}</RoleName><PolicyName>${xmlEscape(policyName)}</PolicyName><PolicyDocument>${encodeURIComponent(document)}</PolicyDocument>`,
          requestId,
        )
      }
      case 'DeleteRolePolicy': {
        if (!role) throw noSuchRole(roleName)
        const policyName = params.get('PolicyName') ?? ''
        if (!role.inlinePolicies.delete(policyName)) throw noSuchPolicy(roleName, policyName)
        return xmlResponse(action, '', requestId)
      }
      case 'DeleteRole':
        if (!role) throw noSuchRole(roleName)
        if (role.attachedPolicies.size > 0)
          throw new AwsFault(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.')
        if (role.inlinePolicies.size > 0)
          throw new AwsFault(409, 'DeleteConflict', 'Cannot delete entity, must delete policies first.')
        state.roles.delete(roleName)
        return xmlResponse(action, '', requestId)
      default:
        throw new AwsFault(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`)
    }
  })
  return [http.post('https://iam.amazonaws.com/', handle)]
}
