import type { ProviderFidelity } from '../conformance/fidelity/provider.ts'
import type { ConformanceTarget } from '../conformance/scenario.ts'
import type { Cloud } from '../src/client.ts'

/**
 * What the rest of the repository knows about one provider, written once in
 * `providers/<name>/manifest.ts`. The registry (`providers/registry.ts`,
 * generated from the folders by `npm run providers`), the package's exports,
 * the build entries, the test aliases and the CLI all read it, so a new
 * backend is a new folder, never an edit elsewhere.
 *
 * A manifest must stay cheap to import (the CLI loads every one to list the
 * providers and their flags): types and `import()` inside functions only,
 * never a static import of the provider's code or its cloud SDK.
 */
export interface ProviderManifest {
  /** The provider's name: `--provider <name>`, `cloudfn/<name>`, the folder's name. */
  readonly name: string
  /** One line for `--help`. */
  readonly description: string
  /** The CLI's provider when neither `--provider` nor the config names one (exactly one manifest says so). */
  readonly default?: boolean
  /** CLI flags (`--region`, ...) and the factory setting each one fills. */
  readonly flags: Readonly<Record<string, ManifestFlag>>
  /**
   * Package subpaths this provider ships, as in package.json "exports":
   * `'.'` is `cloudfn/<name>`, `'./emulator'` is `cloudfn/<name>/emulator`;
   * each value is the source file relative to the provider's folder.
   */
  readonly exports: Readonly<Record<string, string>>
  /** Builds the cloud for the CLI from flags (and config values); loads the provider's code only now. */
  create(flags: Readonly<Record<string, string | undefined>>, context: ManifestContext): Promise<Cloud>
  readonly conformance: {
    /**
     * Targets that need no account (an in-process emulator, or the backend
     * itself when it is in-process). With `--emulate`, a command runs against
     * the cloud of the first one.
     */
    emulated(): Promise<ConformanceTarget[]>
    /** Targets against the real backend (they say why they cannot run when credentials are missing). */
    real(): Promise<ConformanceTarget[]>
  }
  /** True when `--emulate` changes anything: the backend has an emulator distinct from itself. */
  readonly emulates: boolean
  /**
   * Record and replay (docs/FIDELITY.md): the emulator a recorded transcript is replayed
   * against, where this cloud puts error codes, what it compares and normalises. Absent for a
   * provider whose transcripts cannot be replayed (no emulator distinct from itself).
   */
  readonly fidelity?: () => Promise<ProviderFidelity>
}

export interface ManifestFlag {
  /** Help text; the CLI adds which providers take the flag. */
  readonly description: string
  /** The setting of the provider's factory the flag's value goes to. */
  readonly setting: string
  /** A real-cloud command cannot do without it (an emulated one can). */
  readonly required?: boolean
}

export interface ManifestContext {
  /** The CLI's working directory. */
  readonly cwd: string
}

/** A manifest as written, typed against the factory's settings `S`. */
export interface ManifestSpec<S> extends Omit<ProviderManifest, 'flags' | 'create'> {
  readonly flags: Readonly<Record<string, ManifestFlag & { readonly setting: keyof S & string }>>
  /** Settings the CLI always passes (before the flags'), e.g. where the local fake keeps its state. */
  defaults?(context: ManifestContext): Partial<S>
  /** The factory (`aws`, `gcp`, ...), imported on first use so that listing providers loads no cloud SDK. */
  factory(): Promise<(settings: S) => Cloud>
}

/**
 * Checks a manifest against its factory's settings (a flag can only fill a
 * setting the factory has) and gives the registry's uniform shape.
 */
export function defineProviderManifest<S>(spec: ManifestSpec<S>): ProviderManifest {
  const { defaults, factory, ...rest } = spec
  return {
    ...rest,
    async create(flags, context) {
      const settings: Record<string, unknown> = { ...defaults?.(context) }
      for (const [flag, { setting }] of Object.entries(spec.flags)) {
        const value = flags[flag]
        if (value !== undefined) settings[setting] = value
      }
      return (await factory())(settings as S)
    },
  }
}
