using System.Collections.Concurrent;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>
/// Questions that can no longer change, kept in memory: a decided round (answered, expired, cancelled) and a question
/// without owners are final — their state, answer, recipients, devices and card versions are never written again
/// (only their timeline grows, which is not kept here). Clicks on such a question (the owner opens the e-mail again,
/// clicks a second time, Teams refreshes the card) are answered from here without the database, together with what
/// each channel derived from it (its rendered card per recipient), on every instance alike: there is nothing to
/// invalidate. An open question is never kept.
/// </summary>
/// <remarks>
/// The kept <see cref="Question"/> is shared between requests: readers must not change it. Bounded by
/// <see cref="Capacity"/> questions; when full, the oldest half is dropped.
/// </remarks>
public sealed class DecidedQuestions
{
    public const int Capacity = 20_000;

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private long _clock;

    /// <summary>
    /// The question <paramref name="id"/> with its owners and devices, not tracked: from memory when it is final and
    /// kept, else from the store (and then kept when final).
    /// </summary>
    public async Task<Question?> LoadAsync(BotDbContext db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Find(id) ?? await ReadAsync(db, id, ct);
    }

    /// <summary>
    /// <see cref="LoadAsync(BotDbContext, Guid, CancellationToken)"/> taking the store only when the question is not kept:
    /// a click on a decided question then rents no context at all.
    /// </summary>
    public async Task<Question?> LoadAsync(Deferred<BotDbContext> db, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Find(id) ?? await ReadAsync(db.Value, id, ct);
    }

    private async Task<Question?> ReadAsync(BotDbContext db, Guid id, CancellationToken ct)
    {
        // One statement, not the store's default of one per collection: a question has a few owners and devices, and
        // this read is on every click of an open question.
        var question = await db.Questions.AsNoTracking().WithOwnersAndDevices().AsSingleQuery().SingleOrDefaultAsync(q => q.Id == id, ct);
        return question is null ? null : Remember(question);
    }

    /// <summary>The kept question <paramref name="id"/>, or null when it is not final or not (yet) kept.</summary>
    public Question? Find(Guid id)
    {
        if (!_entries.TryGetValue(id, out var entry)) return null;
        entry.Touched = Interlocked.Increment(ref _clock);
        return entry.Question;
    }

    /// <summary>Keeps <paramref name="question"/> when it is final, loaded with its owners and devices and not tracked; returns the kept instance.</summary>
    public Question Remember(Question question)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (question.IsOpen) return question;
        if (_entries.Count >= Capacity) Trim();
        var entry = _entries.GetOrAdd(question.Id, static (_, q) => new Entry(q), question);
        entry.Touched = Interlocked.Increment(ref _clock);
        return entry.Question;
    }

    /// <summary>
    /// Keeps <paramref name="question"/>, which <paramref name="db"/> has just decided and saved, as the store now has
    /// it (with its owners and devices): it is detached from the context first, and the timeline entries the decision
    /// added to it are left to the store, as for every kept question. Returns the kept instance.
    /// </summary>
    public Question KeepDecided(BotDbContext db, Question question)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(question);
        foreach (var entry in db.ChangeTracker.Entries().ToList())
        {
            if (ReferenceEquals(entry.Entity, question)
                || entry.Entity is Recipient recipient && question.Recipients.Contains(recipient)
                || entry.Entity is QuestionDevice device && question.Devices.Contains(device)
                || entry.Entity is TimelineEvent ev && question.Timeline.Contains(ev))
                entry.State = EntityState.Detached;
        }
        question.Timeline.Clear();
        return Remember(question);
    }

    /// <summary>
    /// What a channel derives from a final question and nothing else (a rendered card for one recipient), computed once
    /// per question and <paramref name="key"/>. For a question that is not kept, <paramref name="derive"/> runs every time.
    /// </summary>
    public T Derived<T>(Question question, string key, Func<Question, T> derive) where T : class
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(derive);
        if (question.IsOpen || !_entries.TryGetValue(question.Id, out var entry) || !ReferenceEquals(entry.Question, question))
            return derive(question);
        return (T)entry.Derived.GetOrAdd(key, static (_, state) => state.derive(state.question), (derive, question));
    }

    private void Trim()
    {
        lock (_entries)
        {
            if (_entries.Count < Capacity) return;
            var cut = _entries.Values.Select(e => e.Touched).Order().ElementAt(_entries.Count / 2);
            foreach (var (id, entry) in _entries)
                if (entry.Touched <= cut) _entries.TryRemove(id, out _);
        }
    }

    private sealed class Entry(Question question)
    {
        public Question Question { get; } = question;
        public ConcurrentDictionary<string, object> Derived { get; } = new(StringComparer.Ordinal);
        public long Touched { get; set; }
    }
}
