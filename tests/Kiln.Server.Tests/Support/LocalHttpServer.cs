using System.Net;
using System.Net.Sockets;

namespace Kiln.Server.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port for the outside parties tests talk to (webhook receivers, identity
/// providers): every request under <see cref="Url"/> goes to the handler, which writes the response.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handle;
    private readonly Task _loop;

    /// <summary>Listens on <c>http://127.0.0.1:&lt;free port&gt;/<paramref name="path"/>/</c>.</summary>
    public LocalHttpServer(string path, Func<HttpListenerContext, Task> handle)
    {
        _handle = handle;
        Url = $"http://127.0.0.1:{FreePort()}/{path.Trim('/')}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The base address, ending in a slash.</summary>
    public string Url { get; }

    /// <summary>A port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await _handle(context);
        }
    }
}
