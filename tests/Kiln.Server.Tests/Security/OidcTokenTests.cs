using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Server.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kiln.Server.Tests.Security;

/// <summary>
/// Single sign-on tokens: a local OpenID Connect provider (discovery document and JWKS over real HTTP) signs tokens
/// with an RSA key the test makes; Kiln finds the key by discovery and maps the token's claims to roles and scopes.
/// </summary>
public sealed class OidcTokenTests : IAsyncLifetime
{
    private const string V1Body = """{"instances":[[1,2,3,4,5,6,7]]}""";
    private readonly LocalProvider _provider = new();
    private KilnAppFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Auth:Oidc:Authority"] = _provider.Issuer,
            ["Kiln:Auth:Oidc:Audience"] = "kiln",
            ["Kiln:Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Kiln:Auth:Oidc:RoleClaim"] = "groups",
            ["Kiln:Auth:Oidc:RoleMap:ml-platform"] = "admin",
            ["Kiln:Auth:Oidc:RoleMap:bank-team"] = "predictor",
        });
        await Requests.DeployGbtAsync(_factory);
        using var admin = _factory.CreateKilnClient();
        await admin.DeployAsync("other", "gbt@champion");
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        _provider.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TokenWithAMappedGroup_ActsWithThatRole_AndIsAudited()
    {
        using var admin = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "u-42", ["preferred_username"] = "alice", ["groups"] = new[] { "staff", "ml-platform" } }));

        using var keys = await admin.GetAsync("/api/keys");
        using var created = await admin.PostAsync("/api/keys", Requests.Json("""{"name":"made-by-sso","role":"viewer"}"""));

        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var audit = JsonDocument.Parse(await admin.GetStringAsync("/api/audit?actor=oidc:u-42"));
        var recorded = Assert.Single(audit.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal("alice", recorded.GetProperty("actorName").GetString());
    }

    [Fact]
    public async Task TokenLimitedToADeployment_PredictsThereOnly()
    {
        using var client = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "svc-bank", ["groups"] = "bank-team", ["kiln_deployments"] = "gbt" }));

        using var own = await client.PostAsync("/v1/models/gbt:predict", Requests.Json(V1Body));
        using var other = await client.PostAsync("/v1/models/other:predict", Requests.Json(V1Body));
        using var registry = await client.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (other.StatusCode, registry.StatusCode));
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresBothSchemes()
    {
        using var anonymous = _factory.CreateHttpClient(null);

        var document = await (await anonymous.GetAsync("/openapi/v1.json")).ReadJsonAsync();

        var oidc = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oidc");
        Assert.Equal("openIdConnect", oidc.GetProperty("type").GetString());
        Assert.Equal(_provider.Issuer + "/.well-known/openid-configuration", oidc.GetProperty("openIdConnectUrl").GetString());
        Assert.Equal(2, document.GetProperty("security").GetArrayLength());
    }

    [Fact]
    public async Task EveryProtectedRoute_RefusesATokenLimitedToAnotherDeployment()
    {
        using var scoped = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "svc", ["groups"] = "ml-platform", ["kiln_deployments"] = "somewhere-else" }));
        var checkedRoutes = 0;
        foreach (var (method, path) in ProtectedRoutes.Of(_factory.Services))
        {
            using var refused = await scoped.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Requests.Json("{}") });
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)refused.StatusCode} to a token limited to another deployment");
            checkedRoutes++;
        }

        Assert.True(checkedRoutes > 100, $"only {checkedRoutes} routes were found");
    }

    [Fact]
    public async Task BadTokens_Are401()
    {
        var stranger = new LocalProvider.Signer();
        var tokens = new Dictionary<string, string>
        {
            ["expired"] = _provider.Token(new() { ["sub"] = "u", ["groups"] = "ml-platform" }, expires: DateTime.UtcNow.AddMinutes(-10)),
            ["wrong audience"] = _provider.Token(new() { ["sub"] = "u", ["groups"] = "ml-platform" }, audience: "someone-else"),
            ["unknown signer"] = stranger.Token(_provider.Issuer, "kiln", new() { ["sub"] = "u", ["groups"] = "ml-platform" }, DateTime.UtcNow.AddMinutes(5)),
            ["no role"] = _provider.Token(new() { ["sub"] = "u", ["groups"] = "staff" }),
            ["garbage"] = "aaa.bbb.ccc",
        };

        foreach (var (what, token) in tokens)
        {
            using var client = _factory.CreateHttpClient(token);
            using var response = await client.GetAsync("/api/models");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task TokenWithoutAKilnRole_Is401_SayingSo()
    {
        using var client = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "u", ["groups"] = "staff" }));
        using var response = await client.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("no Kiln role in claim 'groups'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnreachableProvider_RefusesTokens_WhileKeysStillWork()
    {
        var gone = $"http://127.0.0.1:{LocalHttpServer.FreePort()}/realms/gone";
        using var factory = new KilnAppFactory(settings: new Dictionary<string, string?>
        {
            ["Kiln:Auth:Oidc:Authority"] = gone,
            ["Kiln:Auth:Oidc:Audience"] = "kiln",
            ["Kiln:Auth:Oidc:RequireHttpsMetadata"] = "false",
        });
        var signer = new LocalProvider.Signer();

        using (var client = factory.CreateHttpClient(signer.Token(gone, "kiln", new() { ["sub"] = "u", ["kiln_role"] = "admin" }, DateTime.UtcNow.AddMinutes(5))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/models")).StatusCode);
        }

        using var admin = factory.CreateKilnClient();
        Assert.Empty(await admin.ListModelsAsync());
    }

    [Fact]
    public async Task RotatedProviderKey_IsFoundByReadingTheKeysAgain()
    {
        using (var before = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "u", ["groups"] = "ml-platform" })))
        {
            Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/api/models")).StatusCode);
        }

        _provider.RotateKey();
        using var after = _factory.CreateHttpClient(_provider.Token(new() { ["sub"] = "u", ["groups"] = "ml-platform" }));

        // The first token naming the new key makes Kiln read the provider's keys again (in the background, as ASP.NET
        // Core's JWT handler does); tokens are accepted as soon as they are read.
        var status = (await after.GetAsync("/api/models")).StatusCode;
        for (var attempt = 0; status != HttpStatusCode.OK && attempt < 50; attempt++)
        {
            await Task.Delay(100);
            status = (await after.GetAsync("/api/models")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>An OpenID Connect provider on 127.0.0.1: a discovery document and a JWKS, signing tokens with its current key.</summary>
    private sealed class LocalProvider : IDisposable
    {
        private readonly LocalHttpServer _server;
        private Signer _signer = new();

        public LocalProvider()
        {
            _server = new LocalHttpServer("realms/ml", ServeAsync);
            Issuer = _server.Url.TrimEnd('/');
        }

        public string Issuer { get; }

        public string Token(Dictionary<string, object> claims, DateTime? expires = null, string audience = "kiln") =>
            _signer.Token(Issuer, audience, claims, expires ?? DateTime.UtcNow.AddMinutes(5));

        public void RotateKey() => _signer = new Signer();

        public void Dispose() => _server.Dispose();

        private async Task ServeAsync(HttpListenerContext context)
        {
            var path = context.Request.Url!.AbsolutePath;
            var body = path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal)
                ? JsonSerializer.Serialize(new Dictionary<string, string> { ["issuer"] = Issuer, ["jwks_uri"] = Issuer + "/keys" })
                : path.EndsWith("/keys", StringComparison.Ordinal) ? _signer.Jwks() : null;
            context.Response.StatusCode = body is null ? 404 : 200;
            context.Response.ContentType = "application/json";
            if (body is not null)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }

        /// <summary>An RSA signing key with a key id.</summary>
        public sealed class Signer
        {
            private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

            public string Token(string issuer, string audience, Dictionary<string, object> claims, DateTime expires) =>
                new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = issuer,
                    Audience = audience,
                    Claims = claims,
                    IssuedAt = expires.AddMinutes(-30),
                    NotBefore = expires.AddMinutes(-30),
                    Expires = expires,
                    SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
                });

            public string Jwks()
            {
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
                return JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
            }
        }
    }
}
