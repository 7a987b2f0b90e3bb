import { ConflictError } from '../../src/errors/conflict.ts'
import { NotFoundError } from '../../src/errors/not-found.ts'
import { type AwsContext, awsCall, control } from './context.ts'

export type UrlAuth = 'NONE' | 'AWS_IAM'

/** Anyone may call a URL with auth NONE; these statements say so in the function's policy. */
const PUBLIC_STATEMENTS = [
  { StatementId: 'cloudfn-url-public', Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' as const },
  { StatementId: 'cloudfn-url-public-invoke', Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true },
]

/** The function's URL, or undefined when it has none. */
export async function readUrl(context: AwsContext, name: string): Promise<string | undefined> {
  const { client, sdk } = await context.clients.lambda()
  try {
    const found = await awsCall(control('function URL lookup', name), () =>
      client.send(new sdk.GetFunctionUrlConfigCommand({ FunctionName: name })),
    )
    return found.FunctionUrl
  } catch (error) {
    if (NotFoundError.isInstance(error)) return undefined
    throw error
  }
}

/** Creates, changes or deletes the function URL so that it matches `auth` (undefined: no URL). */
export async function syncUrl(context: AwsContext, name: string, auth: UrlAuth | undefined): Promise<string | undefined> {
  const { client, sdk } = await context.clients.lambda()
  const at = control('function URL update', name)
  let current: { FunctionUrl?: string | undefined; AuthType?: string | undefined } | undefined
  try {
    current = await awsCall(at, () => client.send(new sdk.GetFunctionUrlConfigCommand({ FunctionName: name })))
  } catch (error) {
    if (!NotFoundError.isInstance(error)) throw error
  }
  if (!auth) {
    if (current) await awsCall(at, () => client.send(new sdk.DeleteFunctionUrlConfigCommand({ FunctionName: name })))
    // Lambda keeps a deleted URL's permission statements; a URL made later must not start out open to anyone.
    await removePublicStatements(context, name)
    return undefined
  }
  let url = current?.FunctionUrl
  if (!current) {
    url = (await awsCall(at, () => client.send(new sdk.CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: auth }))))
      .FunctionUrl
  } else if (current.AuthType !== auth) {
    url = (await awsCall(at, () => client.send(new sdk.UpdateFunctionUrlConfigCommand({ FunctionName: name, AuthType: auth }))))
      .FunctionUrl
  }
  if (auth === 'NONE') {
    for (const statement of PUBLIC_STATEMENTS) {
      try {
        await awsCall(at, () => client.send(new sdk.AddPermissionCommand({ FunctionName: name, Principal: '*', ...statement })))
      } catch (error) {
        // Already there from an earlier deploy.
        if (!ConflictError.isInstance(error)) throw error
      }
    }
  } else if (current?.AuthType === 'NONE') {
    // An IAM URL must not stay open to anyone through the statements its public past left.
    await removePublicStatements(context, name)
  }
  return url
}

/** Removes the statements that let anyone call the URL; ones already gone are fine. */
async function removePublicStatements(context: AwsContext, name: string): Promise<void> {
  const { client, sdk } = await context.clients.lambda()
  for (const { StatementId } of PUBLIC_STATEMENTS) {
    try {
      await awsCall(control('function URL update', name), () =>
        client.send(new sdk.RemovePermissionCommand({ FunctionName: name, StatementId })),
      )
    } catch (error) {
      if (!NotFoundError.isInstance(error)) throw error
    }
  }
}
