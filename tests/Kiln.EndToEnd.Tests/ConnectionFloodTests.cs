using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// No anonymous client can knock the server over: a flood of slow connections larger than the process's open-file
/// limit is refused at the connection limit, the server stays up, sheds the slow clients, and serves again once they
/// leave. Before Kestrel's limits were set, this flood made Kiln exit with "Out of memory." at a 2,048 descriptor limit.
/// </summary>
public sealed class ConnectionFloodTests : IDisposable
{
    private const string AdminKey = "kiln_e2e_admin_key_0123456789abcdef";
    private const int OpenFileLimit = 1024;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kiln-e2e", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task FloodBeyondTheDescriptorLimit_IsRefusedAtTheLimit_AndTheServerServesAgainAfterwards()
    {
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_Serving__RequestHeadersTimeout"] = "00:00:04",
        };
        await using var server = await KilnProcess.StartServerAsync(Path.Combine(_root, "data"), environment, OpenFileLimit);

        var flood = await OpenSlowConnectionsAsync(server.Url, OpenFileLimit * 3 / 2);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(server.HasExited, "the server died during the flood:\n" + server.Output);
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }

        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var metrics = await EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync("metrics");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
        });
        Assert.False(server.HasExited, "the server died after the flood:\n" + server.Output);
        Assert.True(Sample(metrics, "kiln_http_connections_rejected_total") > 0, "no connection was refused at the limit:\n" + metrics);
        using var deployments = await http.GetAsync("api/deployments");
        Assert.Equal(HttpStatusCode.OK, deployments.StatusCode);
        Assert.DoesNotContain("Out of memory", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowHeaders_AreCutOffAfterTheHeadersTimeout()
    {
        var environment = new Dictionary<string, string>
        {
            ["KILN_ADMIN_KEY"] = AdminKey,
            ["KILN_Serving__RequestHeadersTimeout"] = "00:00:02",
        };
        await using var server = await KilnProcess.StartServerAsync(Path.Combine(_root, "data"), environment);
        using var socket = (await OpenSlowConnectionsAsync(server.Url, 1)).Single();

        // A slowloris client sends one header line at a time and never finishes; the server must hang up on it.
        var closedAfter = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(30));

        Assert.True(closedAfter < TimeSpan.FromSeconds(15), $"the slow connection was still open after {closedAfter}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<List<Socket>> OpenSlowConnectionsAsync(Uri url, int count)
    {
        var sockets = new List<Socket>(count);
        var start = Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: kiln\r\n");
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.ConnectAsync(url.Host, url.Port, connectTimeout.Token);
                await socket.SendAsync(start);
                sockets.Add(socket);
            }
            catch (Exception error) when (error is SocketException or OperationCanceledException)
            {
                // Refused or reset by a server at its limit: that is the point.
                socket.Dispose();
            }
        }

        return sockets;
    }

    private static async Task<TimeSpan> ReadUntilClosedAsync(Socket socket, TimeSpan limit)
    {
        var started = DateTime.UtcNow;
        var buffer = new byte[4096];
        var trickle = Encoding.ASCII.GetBytes("X-Slow: 1\r\n");
        while (DateTime.UtcNow - started < limit)
        {
            try
            {
                await socket.SendAsync(trickle);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                if (await socket.ReceiveAsync(buffer, wait.Token) == 0)
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                // Nothing to read yet: trickle another header.
            }
            catch (SocketException)
            {
                break;
            }
        }

        return DateTime.UtcNow - started;
    }

    private static async Task<string> EventuallyAsync(Func<Task<string?>> read)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await read() is { } text)
                {
                    return text;
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                last = error;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("the server did not serve again within 30 s after the flood", last);
    }

    private static double Sample(string metrics, string name) =>
        metrics.Split('\n').Where(line => line.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Single();
}
