using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class ExperimentConfiguration : IEntityTypeConfiguration<ExperimentEntity>
{
    public void Configure(EntityTypeBuilder<ExperimentEntity> builder)
    {
        builder.ToTable("experiments");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Name).HasMaxLength(256);
        builder.HasIndex(e => e.Name).IsUnique();
    }
}

internal sealed class RunConfiguration : IEntityTypeConfiguration<RunEntity>
{
    public void Configure(EntityTypeBuilder<RunEntity> builder)
    {
        builder.ToTable("runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(32);
        builder.Property(r => r.Name).HasMaxLength(256);
        builder.HasIndex(r => new { r.ExperimentId, r.StartTime });
        builder.HasOne<ExperimentEntity>().WithMany().HasForeignKey(r => r.ExperimentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RunParamConfiguration : IEntityTypeConfiguration<RunParamEntity>
{
    public void Configure(EntityTypeBuilder<RunParamEntity> builder)
    {
        builder.ToTable("run_params");
        builder.HasKey(p => new { p.RunId, p.Key });
        builder.Property(p => p.Key).HasMaxLength(250);
        builder.Property(p => p.Value).HasMaxLength(6000);
        builder.HasOne<RunEntity>().WithMany().HasForeignKey(p => p.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunMetricConfiguration : IEntityTypeConfiguration<RunMetricEntity>
{
    public void Configure(EntityTypeBuilder<RunMetricEntity> builder)
    {
        builder.ToTable("run_metrics");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Key).HasMaxLength(250);
        builder.HasIndex(m => new { m.RunId, m.Key, m.Step });
        builder.HasOne<RunEntity>().WithMany().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunLatestMetricConfiguration : IEntityTypeConfiguration<RunLatestMetricEntity>
{
    public void Configure(EntityTypeBuilder<RunLatestMetricEntity> builder)
    {
        builder.ToTable("run_latest_metrics");
        builder.HasKey(m => new { m.RunId, m.Key });
        builder.Property(m => m.Key).HasMaxLength(250);
        builder.HasOne<RunEntity>().WithMany().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunArtifactConfiguration : IEntityTypeConfiguration<RunArtifactEntity>
{
    public void Configure(EntityTypeBuilder<RunArtifactEntity> builder)
    {
        builder.ToTable("run_artifacts");
        builder.HasKey(a => new { a.RunId, a.Path });
        builder.Property(a => a.Path).HasMaxLength(512);
        builder.HasOne<RunEntity>().WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
