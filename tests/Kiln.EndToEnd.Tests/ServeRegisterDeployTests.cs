using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// The newcomer's path against the real program: start <c>kiln serve</c>, register and deploy with
/// the CLI, predict in every protocol, kill the process, start it again, predict again.
/// </summary>
public sealed class ServeRegisterDeployTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));
    private static readonly string Models = Path.Combine(AppContext.BaseDirectory, "models");

    [Fact]
    public async Task Kiln_ServeRegisterDeployPredictRestart_ServesAcrossRestart()
    {
        var environment = new Dictionary<string, string> { ["KILN_ADMIN_KEY"] = AdminKey, ["KILN_API_KEY"] = AdminKey };
        string expected;
        await using (var server = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            environment["KILN_SERVER"] = server.Url.ToString();
            await Cli(environment, "models", "register", "bank", Path.Combine(Models, "mlflow_colspec"), "--alias", "champion");
            await Cli(environment, "models", "register", "cols", Path.Combine(Models, "bank_columns.onnx"));
            var (_, deployed, _) = await Cli(environment, "deploy", "bank", "--model", "bank@champion", "--output", "json");
            Assert.Equal("ready", JsonDocument.Parse(deployed).RootElement.GetProperty("status").GetString());
            await Cli(environment, "deploy", "cols", "--model", "cols/1");

            using var http = Http(server.Url);
            expected = await PredictEveryProtocolAsync(http);
            await PredictStringColumnsAsync(http);

            var (_, listed, _) = await Cli(environment, "models", "list", "--output", "json");
            Assert.Equal(2, JsonDocument.Parse(listed).RootElement.GetArrayLength());
            await server.KillAsync();
        }

        await using (var restarted = await KilnProcess.StartServerAsync(_dataDir, environment))
        {
            using var http = Http(restarted.Url);
            await WaitReadyAsync(http);
            Assert.Equal(expected, await PredictEveryProtocolAsync(http));
            Assert.DoesNotContain("generated an admin API key", restarted.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Kiln_WithoutAdminKey_PrintsAGeneratedKeyOnceThatWorks()
    {
        var environment = new Dictionary<string, string>();
        await using var server = await KilnProcess.StartServerAsync(_dataDir, environment);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!server.Output.Contains("KILN_API_KEY=", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var key = server.Output.Split("KILN_API_KEY=")[1].Split('\n')[0].Trim();
        environment["KILN_SERVER"] = server.Url.ToString();
        var denied = await KilnProcess.RunAsync(environment, "models", "list");
        Assert.Equal(4, denied.ExitCode);
        environment["KILN_API_KEY"] = key;
        await Cli(environment, "models", "list");
    }

    [Fact]
    public async Task Kiln_AddressInUse_ExitsWithAClearMessage()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await KilnProcess.RunAsync(new Dictionary<string, string>(), "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", _dataDir);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("another program listens on that address", result.Stderr.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> PredictEveryProtocolAsync(HttpClient http)
    {
        const string record = """{"age":35,"balance":1500.5,"day":15,"duration":240,"campaign":2,"pdays":-1,"previous":0}""";
        using var v2 = await Post(http, "v2/models/bank/infer", """{"inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[35,1500.5,15,240,2,-1,0]}]}""");
        using var v1 = await Post(http, "v1/models/bank:predict", $$"""{"instances":[{{record}}]}""");
        using var mlflow = await Post(http, "deployments/bank/invocations", $$"""{"dataframe_records":[{{record}}]}""");
        using var csv = await http.PostAsync("deployments/bank/invocations",
            new StringContent("age,balance,day,duration,campaign,pdays,previous\n35,1500.5,15,240,2,-1,0\n", Encoding.UTF8, "text/csv"));

        foreach (var response in new[] { v2, v1, mlflow, csv })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var fromV2 = JsonDocument.Parse(await v2.Content.ReadAsStringAsync()).RootElement.GetProperty("outputs")[1].GetProperty("data")[1].GetDouble();
        var v1Body = await v1.Content.ReadAsStringAsync();
        var fromV1 = JsonDocument.Parse(v1Body).RootElement.GetProperty("predictions")[0].GetProperty("output_probability").GetProperty("1").GetDouble();
        Assert.Equal(fromV2, fromV1, 6);
        Assert.Equal(0.12186722159959991, fromV1, 5);
        Assert.Equal(v1Body, await mlflow.Content.ReadAsStringAsync());
        Assert.Equal(v1Body, await csv.Content.ReadAsStringAsync());
        return v1Body;
    }

    private static async Task PredictStringColumnsAsync(HttpClient http)
    {
        using var response = await Post(http, "v1/models/cols:predict",
            """{"instances":[{"age":58,"balance":-320.75,"campaign":1,"job":"blue-collar","housing":"no"}]}""");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var prediction = JsonDocument.Parse(body).RootElement.GetProperty("predictions")[0];
        Assert.Equal("yes", prediction.GetProperty("label").GetString());
        Assert.Equal(0.5933725311859583, prediction.GetProperty("probabilities")[1].GetDouble(), 5);
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync("health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Not ready after restart.");
    }

    private static async Task<(int, string, string)> Cli(IDictionary<string, string> environment, params string[] args)
    {
        var result = await KilnProcess.RunAsync(environment, args);
        Assert.True(result.ExitCode == 0, $"kiln {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    private static HttpClient Http(Uri url)
    {
        var http = new HttpClient { BaseAddress = url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    private static Task<HttpResponseMessage> Post(HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
