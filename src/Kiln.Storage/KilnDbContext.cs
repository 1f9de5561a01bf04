using Kiln.Storage.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Kiln.Storage;

/// <summary>Kiln's metadata database: registry, deployments, API keys. Thin: configuration lives in one class per entity.</summary>
public sealed class KilnDbContext(DbContextOptions<KilnDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The ASP.NET Core Data Protection key ring (dashboard cookies, antiforgery tokens), shared by every replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    internal DbSet<ModelEntity> Models => Set<ModelEntity>();
    internal DbSet<ModelVersionEntity> ModelVersions => Set<ModelVersionEntity>();
    internal DbSet<ModelAliasEntity> ModelAliases => Set<ModelAliasEntity>();
    internal DbSet<ModelAliasEventEntity> ModelAliasEvents => Set<ModelAliasEventEntity>();
    internal DbSet<DeploymentEntity> Deployments => Set<DeploymentEntity>();
    internal DbSet<DeploymentRevisionEntity> DeploymentRevisions => Set<DeploymentRevisionEntity>();
    internal DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();
    internal DbSet<ExperimentEntity> Experiments => Set<ExperimentEntity>();
    internal DbSet<RunEntity> Runs => Set<RunEntity>();
    internal DbSet<RunParamEntity> RunParams => Set<RunParamEntity>();
    internal DbSet<RunMetricEntity> RunMetrics => Set<RunMetricEntity>();
    internal DbSet<RunLatestMetricEntity> RunLatestMetrics => Set<RunLatestMetricEntity>();
    internal DbSet<RunArtifactEntity> RunArtifacts => Set<RunArtifactEntity>();
    internal DbSet<AlertRuleEntity> AlertRules => Set<AlertRuleEntity>();
    internal DbSet<AlertStateEntity> AlertStates => Set<AlertStateEntity>();
    internal DbSet<AlertTransitionEntity> AlertTransitions => Set<AlertTransitionEntity>();
    internal DbSet<LeaseEntity> Leases => Set<LeaseEntity>();
    internal DbSet<TrafficShareEntity> TrafficShares => Set<TrafficShareEntity>();
    internal DbSet<PipelineVersionEntity> PipelineVersions => Set<PipelineVersionEntity>();
    internal DbSet<PipelineRunEntity> PipelineRuns => Set<PipelineRunEntity>();
    internal DbSet<PipelineStepEntity> PipelineSteps => Set<PipelineStepEntity>();
    internal DbSet<PipelineLogEntity> PipelineLogs => Set<PipelineLogEntity>();
    internal DbSet<PredictionLogSessionEntity> PredictionLogSessions => Set<PredictionLogSessionEntity>();
    internal DbSet<AuditEventEntity> AuditEvents => Set<AuditEventEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(KilnDbContext).Assembly);

    /// <summary>Timestamps are stored as Unix milliseconds: sortable and comparable on every provider.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUnixMillisecondsConverter>();
    }

    private sealed class DateTimeOffsetToUnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        value => DateTimeOffset.FromUnixTimeMilliseconds(value));
}
