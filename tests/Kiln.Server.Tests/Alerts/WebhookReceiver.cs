using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Kiln.Server.Tests.Support;

namespace Kiln.Server.Tests.Alerts;

/// <summary>A real HTTP webhook receiver on 127.0.0.1 and a free port; answers 500 to the first <c>failFirst</c> calls.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly LocalHttpServer _server;
    private readonly Channel<(string? ContentType, JsonElement Body)> _received = Channel.CreateUnbounded<(string?, JsonElement)>();
    private int _failuresLeft;
    private int _calls;

    public WebhookReceiver(int failFirst = 0)
    {
        _failuresLeft = failFirst;
        _server = new LocalHttpServer("hook", ReceiveAsync);
    }

    public string Url => _server.Url;

    /// <summary>Every call, failed ones included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The next accepted body and its content type.</summary>
    public async Task<(string? ContentType, JsonElement Body)> NextAsync(TimeSpan? timeout = null) =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(15));

    public bool TryNext(out (string? ContentType, JsonElement Body) message) => _received.Reader.TryRead(out message);

    public void Dispose() => _server.Dispose();

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _calls);
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            context.Response.StatusCode = 500;
            context.Response.Close();
            return;
        }

        using (var document = JsonDocument.Parse(body))
        {
            _received.Writer.TryWrite((context.Request.ContentType, document.RootElement.Clone()));
        }

        context.Response.StatusCode = 200;
        context.Response.Close();
    }
}
