#include "tfport/io/checkpoint_rename.h"

#include <map>
#include <tuple>
#include <regex>

#include "tfport/core/str_util.h"
#include "tfport/io/bundle.h"
#include "tfport/tf/trackable_object_graph.pb.h"

namespace tfport::io {
namespace {

constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";
constexpr char kAttributes[] = "/.ATTRIBUTES/";
constexpr char kOptimizerSlot[] = "/.OPTIMIZER_SLOT/";

// A key's path component back to the object's edge name: ".." -> ".",
// ".S" -> "/" (TensorFlow's escaping; formats.md §1.12).
std::string UnescapeLocalName(const std::string& part) {
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '.' && i + 1 < part.size() && (part[i + 1] == '.' || part[i + 1] == 'S')) {
      out += part[i + 1] == '.' ? '.' : '/';
      ++i;
    } else {
      out += part[i];
    }
  }
  return out;
}

// "a/b/.ATTRIBUTES/VARIABLE_VALUE" -> ("a/b", "VARIABLE_VALUE").
bool SplitObjectKey(const std::string& key, std::string* path, std::string* attr) {
  size_t at = key.rfind(kAttributes);
  if (at == std::string::npos) return false;
  *path = key.substr(0, at);
  *attr = key.substr(at + sizeof(kAttributes) - 1);
  return true;
}

// The object graph of a checkpoint whose keys are all object paths: the
// root, one child per path component, the attribute on the last one, and
// for "<var>/.OPTIMIZER_SLOT/<optimizer>/<slot>/.ATTRIBUTES/<attr>" keys a
// slot variable node referenced from the optimizer's node.
Result<tf::TrackableObjectGraph> BuildObjectGraph(const std::vector<std::string>& keys) {
  tf::TrackableObjectGraph g;
  g.add_nodes();  // the root
  std::map<std::pair<int, std::string>, int> child;  // (parent, name) -> node
  auto node_at = [&](const std::string& path, const std::string& key) -> Result<int> {
    int node = 0;
    for (const std::string& part : StrSplit(path, '/')) {
      if (part.empty())
        return errors::InvalidArgument("object path of key '", key, "' has an empty component");
      auto [it, added] = child.emplace(std::make_pair(node, part), g.nodes_size());
      if (added) {
        auto* ref = g.mutable_nodes(node)->add_children();
        ref->set_node_id(it->second);
        ref->set_local_name(UnescapeLocalName(part));
        g.add_nodes();
      }
      node = it->second;
    }
    return node;
  };
  std::map<std::tuple<int, int, std::string>, int> slots;  // (optimizer, variable, slot) -> node
  for (const std::string& key : keys) {
    std::string path, attr;
    if (!SplitObjectKey(key, &path, &attr)) continue;
    int node = 0;
    if (size_t at = path.find(kOptimizerSlot); at != std::string::npos) {
      const std::string rest = path.substr(at + sizeof(kOptimizerSlot) - 1);
      const size_t last = rest.rfind('/');
      if (last == std::string::npos || last == 0 || last + 1 == rest.size())
        return errors::InvalidArgument("slot key '", key, "' does not name <optimizer>/<slot>");
      TFPORT_ASSIGN_OR_RETURN(int variable, node_at(path.substr(0, at), key));
      TFPORT_ASSIGN_OR_RETURN(int optimizer, node_at(rest.substr(0, last), key));
      const std::string slot = UnescapeLocalName(rest.substr(last + 1));
      auto [it, added] = slots.emplace(std::make_tuple(optimizer, variable, slot), g.nodes_size());
      if (added) {
        g.add_nodes();
        auto* ref = g.mutable_nodes(optimizer)->add_slot_variables();
        ref->set_original_variable_node_id(variable);
        ref->set_slot_name(slot);
        ref->set_slot_variable_node_id(it->second);
      }
      node = it->second;
    } else {
      TFPORT_ASSIGN_OR_RETURN(node, node_at(path, key));
    }
    auto* a = g.mutable_nodes(node)->add_attributes();
    a->set_name(attr);
    a->set_full_name(path);
    a->set_checkpoint_key(key);
  }
  return g;
}

}  // namespace

Result<RenameResult> RenameCheckpointKeys(const std::string& src_prefix, const std::string& dst_prefix,
                                          const std::vector<RenameRule>& rules) {
  std::vector<std::regex> patterns;
  for (const auto& r : rules) {
    try {
      patterns.emplace_back(r.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return errors::InvalidArgument("rename pattern '", r.pattern, "' is not a valid regex: ", e.what());
    }
  }
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<BundleReader> reader, BundleReader::Open(src_prefix));
  RenameResult result;
  std::map<std::string, std::string> target;  // new key -> old key
  std::vector<std::pair<std::string, std::string>> plan;
  for (const std::string& key : reader->keys()) {
    if (key == kObjectGraphKey) continue;
    std::string renamed = key;
    for (size_t i = 0; i < rules.size(); ++i)
      if (std::regex_search(key, patterns[i])) {
        renamed = std::regex_replace(key, patterns[i], rules[i].replacement);
        break;
      }
    if (renamed.empty())
      return errors::InvalidArgument(src_prefix, ": key '", key, "' would be renamed to an empty key");
    if (renamed == kObjectGraphKey)
      return errors::InvalidArgument(src_prefix, ": key '", key, "' would be renamed to ", kObjectGraphKey);
    auto [it, added] = target.emplace(renamed, key);
    if (!added)
      return errors::InvalidArgument(src_prefix, ": keys '", it->second, "' and '", key,
                                     "' would both become '", renamed, "'");
    plan.emplace_back(key, renamed);
    if (renamed != key) result.renamed.emplace_back(key, renamed);
  }
  bool object_paths = !plan.empty();
  std::vector<std::string> new_keys;
  for (const auto& [from, to] : plan) {
    std::string path, attr;
    object_paths = object_paths && SplitObjectKey(to, &path, &attr);
    new_keys.push_back(to);
  }
  TFPORT_ASSIGN_OR_RETURN(std::unique_ptr<BundleWriter> writer, BundleWriter::Create(dst_prefix));
  for (const auto& [from, to] : plan) {
    TFPORT_ASSIGN_OR_RETURN(Tensor t, reader->Lookup(from));
    TFPORT_RETURN_IF_ERROR(writer->Add(to, t).WithContext("writing '", to, "'"));
  }
  if (object_paths) {
    TFPORT_ASSIGN_OR_RETURN(tf::TrackableObjectGraph g, BuildObjectGraph(new_keys));
    TFPORT_RETURN_IF_ERROR(writer->Add(kObjectGraphKey, Tensor::Scalar<std::string>(g.SerializeAsString())));
    result.object_graph_written = true;
  }
  TFPORT_RETURN_IF_ERROR(writer->Finish());
  return result;
}

}  // namespace tfport::io
