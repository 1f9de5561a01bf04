using System.Text.Json.Serialization;

namespace Kiln.Monitoring.Alerts.Alertmanager;

/// <summary>Source-generated JSON for Alertmanager webhook bodies: names exactly as Alertmanager writes them.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AlertmanagerMessage))]
public sealed partial class AlertmanagerJsonContext : JsonSerializerContext;
