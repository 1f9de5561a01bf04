namespace Kiln.Server.Configuration;

/// <summary>The one root of Kiln's settings, bound from the <c>Kiln</c> section, <c>KILN_*</c> variables and flags.</summary>
public sealed class KilnOptions
{
    public const string SectionName = "Kiln";

    public StorageOptions Storage { get; set; } = new();

    public ServingOptions Serving { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public TlsOptions Tls { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    public MonitoringOptions Monitoring { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public Cluster.ClusterOptions Cluster { get; set; } = new();

    public Pipelines.PipelineOptions Pipelines { get; set; } = new();

    /// <summary>
    /// The URL people and receivers reach Kiln at (<c>KILN_PUBLIC_URL</c>, <c>--public-url</c>), e.g. the load balancer's
    /// <c>https://kiln.example.com</c>: used in alert links. Empty: the first address the server listens on.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>This process's name among replicas sharing one database (<c>KILN_REPLICA</c>); default: host name and process id.</summary>
    public string? Replica { get; set; }
}

public sealed class StorageOptions
{
    /// <summary>Where the SQLite file and the artifact folder live.</summary>
    public string DataDir { get; set; } = "./kiln-data";

    /// <summary>
    /// The database for every store (<c>KILN_DATABASE</c>, <c>--database</c>): a PostgreSQL URI
    /// (<c>postgresql://user:pass@host:5432/kiln</c>) or an Npgsql connection string. Empty: the SQLite
    /// files <c>kiln.db</c> and <c>monitoring.db</c> in <see cref="DataDir"/>.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>Whether the server applies pending migrations at start (under a lock, so replicas starting together migrate once).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Where artifacts live: empty for <c>&lt;DataDir&gt;/artifacts</c>, a folder path, or <c>s3://bucket/optional/prefix</c>.</summary>
    public string? Artifacts { get; set; }

    /// <summary>How to reach S3 when <see cref="Artifacts"/> is an <c>s3://</c> URL.</summary>
    public S3StorageOptions S3 { get; set; } = new();
}

public sealed class ServingOptions
{
    /// <summary>The largest inference request body accepted (bytes).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The largest model package upload accepted (bytes, all files together).</summary>
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most files one package upload may hold.</summary>
    public int MaxUploadFiles { get; set; } = 1000;

    /// <summary>
    /// The most HTTP connections open at once; more are closed as they arrive. Empty: the descriptors still free when
    /// the server starts, less a reserve of a third (at least 256), eight ninths of that (the rest for upgraded dashboard
    /// connections), so a connection flood can never run the process out of descriptors.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>How long a client may take to send a request's headers before the connection is closed.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long an idle connection (one that sent nothing yet, or finished its request) is kept open.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(75);
}

public sealed class AuthOptions
{
    /// <summary>Whether API keys are required. Off only for local experiments; the server warns at start.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A bootstrap admin key (<c>KILN_ADMIN_KEY</c>); without it the first start generates one and prints it once.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Whether a request with a valid API key that may call its endpoint skips ASP.NET Core's authentication and
    /// authorization middleware (the same rule, checked by <c>ApiKeyFastPath</c>): about 10% more single-row inference
    /// throughput (bench/auth/ab.sh). Off, every request takes the framework's path; refusals always do.
    /// </summary>
    public bool KeyFastPath { get; set; } = true;

    /// <summary>Bearer tokens from the company's identity provider, accepted beside API keys when <see cref="OidcOptions.Authority"/> is set.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

/// <summary>
/// Single sign-on for API clients (<c>Kiln:Auth:Oidc</c>): JWT bearer tokens signed by an OpenID Connect provider, found
/// through its discovery document; the token's claims give the Kiln role and, optionally, the deployments it is limited to.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The issuer, e.g. <c>https://login.example.com/realms/ml</c>; its <c>/.well-known/openid-configuration</c> names the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must be issued for (the <c>aud</c> claim), e.g. <c>kiln</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim holding the caller's role or groups (several values: the highest role wins).</summary>
    public string RoleClaim { get; set; } = "kiln_role";

    /// <summary>
    /// How the role claim's values map to Kiln roles, e.g. <c>{"ml-platform-admins": "admin", "data-scientists": "deployer"}</c>.
    /// Values that are role names themselves (viewer, predictor, deployer, admin) need no entry. A token with no mapped value is refused.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The claim limiting the caller to deployments (a list, or names separated by spaces or commas); absent: all.</summary>
    public string DeploymentsClaim { get; set; } = "kiln_deployments";

    /// <summary>The claims naming the caller for people, first present wins.</summary>
    public List<string> NameClaims { get; set; } = ["preferred_username", "email", "name", "sub"];

    /// <summary>Whether the discovery document and keys must come over HTTPS (turn off only for a provider on this machine).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Whether single sign-on tokens are accepted.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>HTTPS served by Kiln itself (<c>Kiln:Tls</c>; <c>kiln serve --tls-cert FILE --tls-key FILE</c>).</summary>
public sealed class TlsOptions
{
    /// <summary>The certificate: a PEM file (with its chain after it) or a PKCS#12 (.pfx/.p12) file (<c>KILN_TLS_CERT</c>).</summary>
    public string? Certificate { get; set; }

    /// <summary>The PEM private key, when <see cref="Certificate"/> is PEM and does not hold it (<c>KILN_TLS_KEY</c>).</summary>
    public string? Key { get; set; }

    /// <summary>The password of a PKCS#12 file or an encrypted PEM key (<c>KILN_TLS_PASSWORD</c>).</summary>
    public string? Password { get; set; }

    /// <summary>Whether requests to plain-HTTP addresses are redirected to HTTPS (308) when TLS is on.</summary>
    public bool RedirectHttp { get; set; } = true;

    /// <summary>How long browsers are told to use only HTTPS (<c>Strict-Transport-Security</c>); zero: no header.</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Whether TLS is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Certificate);
}

/// <summary>How Kiln reads requests that came through a reverse proxy (<c>Kiln:Http</c>).</summary>
public sealed class HttpOptions
{
    /// <summary>
    /// Proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> headers are
    /// believed, so a server behind a TLS-terminating proxy sees the client's address and knows the request was HTTPS.
    /// Empty: the headers are ignored, as anyone can send them.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>
/// Token buckets (<c>Kiln:RateLimits</c>): per client address for requests without a valid key, per key by its role,
/// and per key and deployment. Beyond them requests get 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Per client address: requests to open endpoints and requests whose key was missing or refused.</summary>
    public RateLimit Anonymous { get; set; } = new() { PerSecond = 100, Burst = 200 };

    /// <summary>Per key, by the key's role (<c>viewer</c>, <c>predictor</c>, <c>deployer</c>, <c>admin</c>); a role not listed is not limited.</summary>
    public Dictionary<string, RateLimit> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per key and deployment, by deployment name, for requests to that deployment's endpoints (inference and the rest).</summary>
    public Dictionary<string, RateLimit> Deployments { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One token bucket: a sustained rate and the burst allowed above it.</summary>
public sealed class RateLimit
{
    /// <summary>Requests per second, sustained; zero turns the limit off.</summary>
    public double PerSecond { get; set; }

    /// <summary>Requests allowed at once after a quiet spell (the bucket's size); default: one second's worth.</summary>
    public int? Burst { get; set; }
}

/// <summary>The audit log (<c>Kiln:Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>How long audit events are kept; older ones are deleted every hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(365);
}
