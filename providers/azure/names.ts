import { createHash } from 'node:crypto'
import { ENVELOPE_ROUTE } from './constants.ts'

/**
 * Azure resource names. Site and storage account names are global across all
 * of Azure, so each carries a stable suffix derived from the subscription and
 * resource group: the same deployer always finds its own resources again, and
 * two deployers of a function called `resize` do not collide.
 */
export interface Scope {
  subscriptionId: string
  resourceGroup: string
}

function suffix(scope: Scope, length: number): string {
  return createHash('sha256')
    .update(`${scope.subscriptionId.toLowerCase()}/${scope.resourceGroup.toLowerCase()}`)
    .digest('hex')
    .slice(0, length)
}

/** `cf-<name>-<8 hex>`: at most 52 characters (sites allow 60). */
export function appName(scope: Scope, functionName: string): string {
  return `cf-${functionName}-${suffix(scope, 8)}`
}

/** Flex Consumption hosts one app per plan. */
export function planName(app: string): string {
  return `${app}-plan`
}

/** 3–24 lowercase letters and digits, global: one account per resource group holds every app's packages. */
export function storageAccountName(scope: Scope): string {
  return `cloudfn${suffix(scope, 17)}`
}

/** One deployment container per app, as the Flex documentation recommends. */
export function containerName(app: string): string {
  return `app-package-${app}`.slice(0, 63).replace(/-+$/, '')
}

/** The envelope endpoint that invoke calls. */
export function functionUrl(app: string): string {
  return `https://${app}.azurewebsites.net/${ENVELOPE_ROUTE}`
}

/** Where an HTTP-triggered function answers: every path of its app. */
export function originUrl(app: string): string {
  return `https://${app}.azurewebsites.net/`
}

export function scmOrigin(app: string): string {
  return `https://${app}.scm.azurewebsites.net`
}

export const TAGS = {
  managed: 'cloudfn:managed',
  name: 'cloudfn:name',
  codeHash: 'cloudfn:codeHash',
  configHash: 'cloudfn:configHash',
  memoryMb: 'cloudfn:memoryMb',
  timeoutSec: 'cloudfn:timeoutSec',
  updatedAt: 'cloudfn:updatedAt',
  trigger: 'cloudfn:trigger',
} as const
