# Ruby's Sidekiq (Debian's ruby-sidekiq) against the Redis in REDIS_URL: the
# other side of the Sidekiq tests.
#   push CLASS JSON   pushes a job as a Ruby app would, prints its jid
#   stats             prints what Ruby's API sees, as JSON
require "json"
require "sidekiq"
require "sidekiq/api"

Sidekiq.logger.level = Logger::WARN

case ARGV[0]
when "push"
  jid = Sidekiq::Client.push("class" => ARGV[1], "queue" => "default", "args" => [JSON.parse(ARGV[2])])
  puts jid
when "stats"
  describe = ->(job) {
    {"jid" => job.jid, "class" => job.klass, "args" => job.args,
     "error_message" => job["error_message"], "retry_count" => job["retry_count"]}
  }
  puts JSON.generate(
    "queued" => Sidekiq::Queue.new("default").size,
    "queued_jobs" => Sidekiq::Queue.new("default").map(&describe),
    "retries" => Sidekiq::RetrySet.new.map(&describe),
    "dead" => Sidekiq::DeadSet.new.map(&describe),
    "processes" => Sidekiq::ProcessSet.new.map { |process| process["identity"] },
    "processed" => Sidekiq::Stats.new.processed,
    "failed" => Sidekiq::Stats.new.failed
  )
else
  abort "usage: sidekiq_client.rb push CLASS JSON | stats"
end
