// sluice lake mb|rb|ls|put|get|head|rm|cp|sync
#include <CLI/CLI.hpp>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/environment.h"
#include "cli/cli.h"
#include "cli/lake_files.h"
#include "cli/lake_tree.h"
#include "core/error.h"
#include "core/text.h"
#include "lake/object_store.h"

namespace sluice::cli {

namespace {

std::string formatListTime(core::TimeNs t) { return core::formatUtc(t, "%Y-%m-%d %H:%M:%S"); }

lake::ByteRange parseRange(const std::string& text) {
  auto r = lake::parseByteRange(text);
  if (!r) throw UsageError("--range must look like 0-99, 100- or -50");
  return *r;
}

lake::UserMetadata parseMetadata(const std::vector<std::string>& pairs) {
  lake::UserMetadata meta;
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--meta expects NAME=VALUE, got '" + p + "'");
    meta[core::toLower(p.substr(0, eq))] = p.substr(eq + 1);
  }
  return meta;
}

// The options `cp --recursive` and `sync` share.
struct TreeFlags {
  CLI::Option* exclude;
  CLI::Option* include;
  bool dry_run = false;
};

std::shared_ptr<TreeFlags> addTreeOptions(CLI::App* cmd) {
  auto flags = std::make_shared<TreeFlags>();
  flags->exclude = cmd->add_option("--exclude", "skip paths matching this glob (repeatable)")
                       ->type_name("GLOB")
                       ->expected(1)
                       ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  flags->include = cmd->add_option("--include", "copy paths matching this glob after all")
                       ->type_name("GLOB")
                       ->expected(1)
                       ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--dryrun", flags->dry_run, "print what would be copied or deleted, do nothing");
  return flags;
}

// The filters in the order given: a later one wins, as in the AWS CLI.
TreeCopyOptions treeOptions(const CLI::App& cmd, const TreeFlags& flags) {
  TreeCopyOptions options;
  options.dry_run = flags.dry_run;
  size_t next_exclude = 0, next_include = 0;
  for (const CLI::Option* opt : cmd.parse_order()) {
    if (opt == flags.exclude)
      options.filters.push_back({false, flags.exclude->results().at(next_exclude++)});
    else if (opt == flags.include)
      options.filters.push_back({true, flags.include->results().at(next_include++)});
  }
  return options;
}

}  // namespace

void addLakeCommands(CLI::App& app, CliContext& ctx) {
  auto* lake = app.add_subcommand("lake", "work with the lake's buckets and objects");
  lake->require_subcommand(1);

  {
    auto* cmd = lake->add_subcommand("mb", "make a bucket");
    auto bucket = std::make_shared<std::string>();
    cmd->add_option("BUCKET", *bucket, "bucket name (or lake://BUCKET)")->required();
    cmd->callback([&ctx, bucket] {
      auto loc = parseLakeLocation(*bucket);
      ctx.environment().lake().createBucket(loc.bucket);
      ctx.out << "make_bucket: " << loc.bucket << '\n';
    });
  }
  {
    auto* cmd = lake->add_subcommand("rb", "remove an empty bucket (--force: and its objects)");
    auto bucket = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    cmd->add_option("BUCKET", *bucket, "bucket name")->required();
    cmd->add_flag("--force", *force, "delete every object first");
    cmd->callback([&ctx, bucket, force] {
      auto loc = parseLakeLocation(*bucket);
      auto& store = ctx.environment().lake();
      if (*force) {
        lake::ListRequest req;
        for (;;) {
          auto page = store.list(loc.bucket, req);
          for (const auto& o : page.objects) store.remove(loc.bucket, o.key);
          if (!page.truncated) break;
          req.continuation_token = page.next_continuation_token;
        }
      }
      store.deleteBucket(loc.bucket);
      ctx.out << "remove_bucket: " << loc.bucket << '\n';
    });
  }
  {
    auto* cmd = lake->add_subcommand("ls", "list buckets, or the objects under BUCKET[/PREFIX]");
    auto where = std::make_shared<std::string>();
    auto recursive = std::make_shared<bool>(false);
    cmd->add_option("LOCATION", *where, "BUCKET[/PREFIX]; none lists the buckets");
    cmd->add_flag("-r,--recursive", *recursive, "list every object below the prefix");
    cmd->callback([&ctx, where, recursive] {
      auto& store = ctx.environment().lake();
      if (where->empty()) {
        for (const auto& b : store.listBuckets())
          ctx.out << formatListTime(b.created) << ' ' << b.name << '\n';
        return;
      }
      auto loc = parseLakeLocation(*where);
      lake::ListRequest req;
      req.prefix = loc.key;
      if (!*recursive) req.delimiter = "/";
      // As `aws s3 ls`: names below the prefix's folder, or whole keys with --recursive.
      const size_t shown_from = *recursive ? 0 : loc.key.rfind('/') + 1;  // npos + 1 == 0
      for (;;) {
        auto page = store.list(loc.bucket, req);
        for (const auto& p : page.common_prefixes)
          ctx.out << std::string(19, ' ') << ' ' << std::setw(10) << "PRE" << ' '
                  << p.substr(shown_from) << '\n';
        for (const auto& o : page.objects)
          ctx.out << formatListTime(o.last_modified) << ' ' << std::setw(10) << o.size << ' '
                  << o.key.substr(shown_from) << '\n';
        if (!page.truncated) break;
        req.continuation_token = page.next_continuation_token;
      }
    });
  }
  {
    auto* cmd = lake->add_subcommand("put", "store a local file (or - for stdin) as an object");
    auto file = std::make_shared<std::string>();
    auto dest = std::make_shared<std::string>();
    auto type = std::make_shared<std::string>();
    auto meta = std::make_shared<std::vector<std::string>>();
    auto no_overwrite = std::make_shared<bool>(false);
    cmd->add_option("FILE", *file, "local file, or - for standard input")->required();
    cmd->add_option("DEST", *dest, "BUCKET/KEY (a trailing / appends the file's name)")->required();
    cmd->add_option("--content-type", *type, "Content-Type to store");
    cmd->add_option("--meta", *meta, "user metadata NAME=VALUE (repeatable)");
    cmd->add_flag("--no-overwrite", *no_overwrite, "fail if the key already exists");
    cmd->callback([&ctx, file, dest, type, meta, no_overwrite] {
      auto loc = parseLakeLocation(*dest);
      if (loc.key.empty() || loc.key.back() == '/') {
        if (*file == "-") throw UsageError("give a full BUCKET/KEY when reading standard input");
        loc.key += baseName(*file);
      }
      lake::PutOptions opts;
      opts.content_type = *type;
      opts.user_metadata = parseMetadata(*meta);
      opts.no_overwrite = *no_overwrite;
      auto info = upload(ctx.environment().lake(), loc.bucket, loc.key, *file, opts);
      ctx.out << "upload: " << *file << " to lake://" << loc.bucket << '/' << loc.key << " ("
              << info.size << " bytes, etag " << info.etag << ")\n";
    });
  }
  {
    auto* cmd = lake->add_subcommand("get", "write an object to a local file (default: stdout)");
    auto src = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto range = std::make_shared<std::string>();
    cmd->add_option("SOURCE", *src, "BUCKET/KEY")->required();
    cmd->add_option("FILE", *file, "local file; - or none for standard output");
    cmd->add_option("--range", *range, "bytes to read: FIRST-LAST, FIRST- or -SUFFIX");
    cmd->callback([&ctx, src, file, range] {
      auto loc = parseLakeLocation(*src);
      std::optional<lake::ByteRange> r;
      if (!range->empty()) r = parseRange(*range);
      if (file->empty() || *file == "-")
        download(ctx.environment().lake(), loc.bucket, loc.key, r, ctx.out, "standard output");
      else
        downloadToFile(ctx.environment().lake(), loc.bucket, loc.key, r, *file);
    });
  }
  {
    auto* cmd = lake->add_subcommand("head", "print an object's metadata as JSON");
    auto src = std::make_shared<std::string>();
    cmd->add_option("OBJECT", *src, "BUCKET/KEY")->required();
    cmd->callback([&ctx, src] {
      auto loc = parseLakeLocation(*src);
      auto info = ctx.environment().lake().head(loc.bucket, loc.key);
      nlohmann::json j{{"bucket", info.bucket},
                       {"key", info.key},
                       {"size", info.size},
                       {"etag", info.etag},
                       {"content_type", info.content_type},
                       {"last_modified", core::formatIso8601Ms(info.last_modified)},
                       {"metadata", info.user_metadata},
                       {"headers", info.headers}};
      ctx.out << j.dump(2) << '\n';
    });
  }
  {
    auto* cmd =
        lake->add_subcommand("rm", "delete an object (--recursive: every object under a prefix)");
    auto target = std::make_shared<std::string>();
    auto recursive = std::make_shared<bool>(false);
    cmd->add_option("OBJECT", *target, "BUCKET/KEY or BUCKET/PREFIX")->required();
    cmd->add_flag("-r,--recursive", *recursive,
                  "delete every object whose key begins with the prefix");
    cmd->callback([&ctx, target, recursive] {
      auto loc = parseLakeLocation(*target);
      auto& store = ctx.environment().lake();
      if (!*recursive) {
        if (loc.key.empty()) throw UsageError("give BUCKET/KEY, or --recursive to empty a prefix");
        bool existed = store.remove(loc.bucket, loc.key);
        ctx.out << (existed ? "delete: lake://" : "absent: lake://") << loc.bucket << '/' << loc.key
                << '\n';
        return;
      }
      lake::ListRequest req;
      req.prefix = loc.key;
      for (;;) {
        auto page = store.list(loc.bucket, req);
        for (const auto& o : page.objects) {
          store.remove(loc.bucket, o.key);
          ctx.out << "delete: lake://" << loc.bucket << '/' << o.key << '\n';
        }
        if (!page.truncated) break;
        req.continuation_token = page.next_continuation_token;
      }
    });
  }
  {
    auto* cmd = lake->add_subcommand(
        "cp", "copy between the lake and local files: lake://B/K or s3://B/K names a lake object");
    auto src = std::make_shared<std::string>();
    auto dst = std::make_shared<std::string>();
    auto recursive = std::make_shared<bool>(false);
    cmd->add_option("SOURCE", *src, "lake://BUCKET/KEY or a local file")->required();
    cmd->add_option("DEST", *dst, "lake://BUCKET/KEY or a local file")->required();
    cmd->add_flag("-r,--recursive", *recursive,
                  "copy a whole local folder or lake prefix (lake://BUCKET/PREFIX)");
    auto tree = addTreeOptions(cmd);
    cmd->callback([&ctx, cmd, src, dst, recursive, tree] {
      auto& store = ctx.environment().lake();
      if (*recursive) {
        copyTree(store, *src, *dst, treeOptions(*cmd, *tree), ctx.out);
        return;
      }
      bool from_lake = hasLakeScheme(*src), to_lake = hasLakeScheme(*dst);
      if (!from_lake && !to_lake)
        throw UsageError("one side of cp must be a lake location (lake://BUCKET/KEY)");
      if (from_lake && to_lake) {
        auto s = parseLakeLocation(*src), d = parseLakeLocation(*dst);
        if (d.key.empty() || d.key.back() == '/') d.key += baseName(s.key);
        store.copy(s.bucket, s.key, d.bucket, d.key, std::nullopt);
        ctx.out << "copy: " << *src << " to lake://" << d.bucket << '/' << d.key << '\n';
      } else if (to_lake) {
        auto d = parseLakeLocation(*dst);
        if (d.key.empty() || d.key.back() == '/') d.key += baseName(*src);
        upload(store, d.bucket, d.key, *src);
        ctx.out << "upload: " << *src << " to lake://" << d.bucket << '/' << d.key << '\n';
      } else {
        auto s = parseLakeLocation(*src);
        downloadToFile(store, s.bucket, s.key, std::nullopt, *dst);
        ctx.out << "download: " << *src << " to " << *dst << '\n';
      }
    });
  }
  {
    auto* cmd = lake->add_subcommand(
        "sync", "copy what changed (new, another size, newer) between a folder and a prefix");
    auto src = std::make_shared<std::string>();
    auto dst = std::make_shared<std::string>();
    auto remove_extra = std::make_shared<bool>(false);
    cmd->add_option("SOURCE", *src, "a local folder or lake://BUCKET[/PREFIX]")->required();
    cmd->add_option("DEST", *dst, "a local folder or lake://BUCKET[/PREFIX]")->required();
    cmd->add_flag("--delete", *remove_extra, "delete what the source does not have");
    auto tree = addTreeOptions(cmd);
    cmd->callback([&ctx, cmd, src, dst, remove_extra, tree] {
      TreeCopyOptions options = treeOptions(*cmd, *tree);
      options.only_changed = true;
      options.delete_extra = *remove_extra;
      copyTree(ctx.environment().lake(), *src, *dst, options, ctx.out);
    });
  }
}

}  // namespace sluice::cli
