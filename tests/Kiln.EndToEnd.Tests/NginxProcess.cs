using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Kiln.EndToEnd.Tests;

/// <summary>A real nginx (Debian's) in front of Kiln replicas, with the retry settings of deploy/nginx/kiln.conf.</summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private NginxProcess(Process process, string folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public Uri Url { get; }

    public static string? Binary => new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists);

    public static async Task<NginxProcess> StartAsync(IEnumerable<Uri> replicas)
    {
        var binary = Binary ?? throw new InvalidOperationException("nginx is not installed (apt-get install nginx; ./test.sh does).");
        var folder = Directory.CreateTempSubdirectory("kiln-nginx").FullName;
        var port = KilnProcess.FreeUrl().Port;
        var servers = string.Join("\n", replicas.Select(r => $"        server {r.Host}:{r.Port} max_fails=1 fail_timeout=5s;"));
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            daemon off;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                upstream kiln {
            {{servers}}
                    keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    client_max_body_size 2g;
                    location / {
                        proxy_pass http://kiln;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_connect_timeout 2s;
                        proxy_next_upstream error timeout http_502 http_503 non_idempotent;
                        proxy_next_upstream_tries 3;
                    }
                }
            }
            """));
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", folder, "-c", Path.Combine(folder, "nginx.conf") })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start nginx.");
        var nginx = new NginxProcess(process, folder, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return nginx;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await nginx.DisposeAsync();
        throw new TimeoutException("nginx did not listen in time.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
