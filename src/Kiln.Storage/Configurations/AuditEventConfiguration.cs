using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEventEntity>
{
    public void Configure(EntityTypeBuilder<AuditEventEntity> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.Property(e => e.Actor).HasMaxLength(64);
        builder.Property(e => e.ActorName).HasMaxLength(128);
        builder.Property(e => e.Action).HasMaxLength(300);
        builder.Property(e => e.Target).HasMaxLength(1100);
        builder.Property(e => e.Address).HasMaxLength(64);
        builder.Property(e => e.RequestId).HasMaxLength(128);
        builder.Property(e => e.Replica).HasMaxLength(64);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.Actor, e.Id });
    }
}
