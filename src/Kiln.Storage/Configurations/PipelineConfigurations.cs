using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class PipelineVersionConfiguration : IEntityTypeConfiguration<PipelineVersionEntity>
{
    public void Configure(EntityTypeBuilder<PipelineVersionEntity> builder)
    {
        builder.ToTable("pipeline_versions");
        builder.HasKey(v => new { v.Pipeline, v.Version });
        builder.Property(v => v.Pipeline).HasMaxLength(100);
        builder.Property(v => v.Digest).HasMaxLength(80);
        builder.Property(v => v.Description).HasMaxLength(2000);
        builder.Property(v => v.CreatedBy).HasMaxLength(128);
    }
}

// A run's trigger key is unique per pipeline, so a cron fire time or an alert firing starts one run however many
// replicas see it; manual runs have none (NULLs never collide on either provider).
internal sealed class PipelineRunConfiguration : IEntityTypeConfiguration<PipelineRunEntity>
{
    public void Configure(EntityTypeBuilder<PipelineRunEntity> builder)
    {
        builder.ToTable("pipeline_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(40);
        builder.Property(r => r.Pipeline).HasMaxLength(100);
        builder.Property(r => r.TriggerKind).HasMaxLength(16);
        builder.Property(r => r.TriggerReason).HasMaxLength(1000);
        builder.Property(r => r.TriggerKey).HasMaxLength(400);
        builder.Property(r => r.Error).HasMaxLength(4000);
        builder.Property(r => r.Owner).HasMaxLength(128);
        builder.Property(r => r.StartedBy).HasMaxLength(128);
        builder.HasIndex(r => new { r.Pipeline, r.TriggerKey }).IsUnique();
        builder.HasIndex(r => new { r.Pipeline, r.CreatedAt });
        builder.HasIndex(r => r.CreatedAt);
        builder.HasIndex(r => r.Status);
    }
}

internal sealed class PipelineStepConfiguration : IEntityTypeConfiguration<PipelineStepEntity>
{
    public void Configure(EntityTypeBuilder<PipelineStepEntity> builder)
    {
        builder.ToTable("pipeline_steps");
        builder.HasKey(s => new { s.RunId, s.Step });
        builder.Property(s => s.RunId).HasMaxLength(40);
        builder.Property(s => s.Step).HasMaxLength(64);
        builder.Property(s => s.Kind).HasMaxLength(32);
        builder.Property(s => s.Error).HasMaxLength(4000);
        builder.Property(s => s.CacheKey).HasMaxLength(80);
        builder.Property(s => s.CachedFrom).HasMaxLength(40);
        builder.HasIndex(s => s.CacheKey);
        builder.HasOne<PipelineRunEntity>().WithMany().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PipelineLogConfiguration : IEntityTypeConfiguration<PipelineLogEntity>
{
    public void Configure(EntityTypeBuilder<PipelineLogEntity> builder)
    {
        builder.ToTable("pipeline_logs");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.RunId).HasMaxLength(40);
        builder.Property(l => l.Step).HasMaxLength(64);
        builder.Property(l => l.Text).HasMaxLength(4000);
        builder.HasIndex(l => new { l.RunId, l.Id });
        builder.HasOne<PipelineRunEntity>().WithMany().HasForeignKey(l => l.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
