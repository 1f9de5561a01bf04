using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRuleEntity>
{
    public void Configure(EntityTypeBuilder<AlertRuleEntity> builder)
    {
        builder.ToTable("alert_rules");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(64);
        builder.Property(r => r.Name).HasMaxLength(128);
        builder.Property(r => r.Deployment).HasMaxLength(128);
        builder.Property(r => r.Metric).HasMaxLength(128);
        builder.Property(r => r.Feature).HasMaxLength(256);
        builder.Property(r => r.Description).HasMaxLength(2000);
    }
}

// States are not tied to alert_rules by a foreign key: config rules live outside the database,
// and a deleted rule's state stays until the evaluator has resolved it.
internal sealed class AlertStateConfiguration : IEntityTypeConfiguration<AlertStateEntity>
{
    public void Configure(EntityTypeBuilder<AlertStateEntity> builder)
    {
        builder.ToTable("alert_states");
        builder.HasKey(s => new { s.RuleId, s.Deployment });
        builder.Property(s => s.RuleId).HasMaxLength(64);
        builder.Property(s => s.Deployment).HasMaxLength(128);
        builder.Property(s => s.RuleName).HasMaxLength(128);
    }
}

internal sealed class AlertTransitionConfiguration : IEntityTypeConfiguration<AlertTransitionEntity>
{
    public void Configure(EntityTypeBuilder<AlertTransitionEntity> builder)
    {
        builder.ToTable("alert_transitions");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.RuleId).HasMaxLength(64);
        builder.Property(t => t.RuleName).HasMaxLength(128);
        builder.Property(t => t.Deployment).HasMaxLength(128);
        builder.HasIndex(t => t.At);
        builder.HasIndex(t => new { t.Deployment, t.At });
    }
}
