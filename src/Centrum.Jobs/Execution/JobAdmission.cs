using System.Collections.Concurrent;
using Centrum.Jobs.Internal;
using Centrum.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Jobs.Execution;

/// <summary>
/// Lets pending jobs of an application run while fewer than <see cref="JobsOptions.MaxRunningPerApplication"/> of its
/// jobs run, oldest first; the others stay pending until a running one ends or stops. One admission per application
/// at a time on this node; the revision check keeps two nodes from both moving one job.
/// </summary>
public sealed class JobAdmission(IDbContextFactory<CentrumDbContext> contexts, IOptions<JobsOptions> options, TimeProvider time, ILogger<JobAdmission> logger)
{
    private static readonly string Pending = JobStates.Name(JobStatus.Pending);
    private static readonly string Running = JobStates.Name(JobStatus.Running);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Moves as many of the application's pending jobs to running as it has free slots; answers how many moved.</summary>
    public async Task<int> AdmitAsync(string applicationId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(applicationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var jobs = db.Jobs.Where(j => j.ApplicationId == applicationId);
            var free = options.Value.MaxRunningPerApplication - await jobs.CountAsync(j => j.Status == Running, cancellationToken);
            if (free <= 0)
            {
                return 0;
            }

            var waiting = await jobs.Where(j => j.Status == Pending).OrderBy(j => j.CreatedTicks).ThenBy(j => j.Id).Take(free).ToListAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var job in waiting)
            {
                job.Status = Running;
                job.Start ??= now;
                job.Revision++;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // A caller stopped one of them meanwhile; the next admission reads again.
                return 0;
            }

            foreach (var job in waiting)
            {
                Log.Admitted(logger, applicationId, job.Id);
            }

            return waiting.Count;
        }
        finally
        {
            gate.Release();
        }
    }
}
