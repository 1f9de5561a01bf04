using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class ModelConfiguration : IEntityTypeConfiguration<ModelEntity>
{
    public void Configure(EntityTypeBuilder<ModelEntity> builder)
    {
        builder.ToTable("models");
        builder.HasKey(m => m.Name);
        builder.Property(m => m.Name).HasMaxLength(128);
        builder.Property(m => m.Description).HasMaxLength(4000);
    }
}

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersionEntity>
{
    public void Configure(EntityTypeBuilder<ModelVersionEntity> builder)
    {
        builder.ToTable("model_versions");
        builder.HasKey(v => new { v.ModelName, v.Version });
        builder.Property(v => v.ModelName).HasMaxLength(128);
        builder.Property(v => v.Description).HasMaxLength(4000);
        builder.HasOne<ModelEntity>().WithMany().HasForeignKey(v => v.ModelName).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ModelAliasEventConfiguration : IEntityTypeConfiguration<ModelAliasEventEntity>
{
    public void Configure(EntityTypeBuilder<ModelAliasEventEntity> builder)
    {
        builder.ToTable("model_alias_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ModelName).HasMaxLength(256);
        builder.Property(e => e.Alias).HasMaxLength(256);
        builder.HasIndex(e => new { e.ModelName, e.At });
    }
}

internal sealed class ModelAliasConfiguration : IEntityTypeConfiguration<ModelAliasEntity>
{
    public void Configure(EntityTypeBuilder<ModelAliasEntity> builder)
    {
        builder.ToTable("model_aliases");
        builder.HasKey(a => new { a.ModelName, a.Alias });
        builder.Property(a => a.ModelName).HasMaxLength(128);
        builder.Property(a => a.Alias).HasMaxLength(128);
        builder.HasOne<ModelVersionEntity>().WithMany().HasForeignKey(a => new { a.ModelName, a.Version }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DeploymentRevisionConfiguration : IEntityTypeConfiguration<DeploymentRevisionEntity>
{
    public void Configure(EntityTypeBuilder<DeploymentRevisionEntity> builder)
    {
        builder.ToTable("deployment_revisions");
        builder.HasKey(r => new { r.DeploymentName, r.Number });
        builder.Property(r => r.DeploymentName).HasMaxLength(128);
        builder.Property(r => r.Actor).HasMaxLength(128);
        builder.Property(r => r.Change).HasMaxLength(32);
    }
}

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<DeploymentEntity>
{
    public void Configure(EntityTypeBuilder<DeploymentEntity> builder)
    {
        builder.ToTable("deployments");
        builder.HasKey(d => d.Name);
        builder.Property(d => d.Name).HasMaxLength(128);
        builder.Property(d => d.Revision).IsConcurrencyToken();
        // Existing rows get 1 (log everything); the sentinel makes EF always send the value, so a rate of 0 is stored as 0.
        builder.Property(d => d.LogSampleRate).HasDefaultValue(1.0).HasSentinel(-1.0);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKeyEntity>
{
    public void Configure(EntityTypeBuilder<ApiKeyEntity> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(32);
        builder.Property(k => k.Name).HasMaxLength(128);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.Hash).HasMaxLength(64);
        builder.HasIndex(k => k.Hash).IsUnique();
    }
}
