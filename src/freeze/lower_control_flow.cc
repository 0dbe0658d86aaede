// Lowering functional control flow (If, Case, While and their Stateless
// forms) to TF1 Switch/Merge/Enter/Exit/NextIteration/LoopCond, in the manner
// of TensorFlow's lower_if_op, lower_case_op and lower_while_op passes, with
// call nodes inlined on the way (see lower_control_flow.h).
//
// Works in rounds over a flat GraphDef: each round lowers or inlines every
// functional node present, copying bodies in through internal::InlineBody; a
// body's own functional nodes are handled in the next round. Nodes copied
// into a loop frame or a branch remember that place's pivot, so that the
// Consts of a call inlined there later still run in the right frame, and only
// when the branch is taken.
#include "tfport/freeze/lower_control_flow.h"

#include <map>
#include <set>

#include "freeze/inline_body.h"
#include "tfport/core/str_util.h"
#include "tfport/core/tensor_proto.h"
#include "tfport/graph/graph.h"
#include "tfport/graph/op_registry.h"

namespace tfport::freeze {
namespace {

using internal::InlinedBody;

bool IsWhile(const std::string& op) { return op == "While" || op == "StatelessWhile"; }
bool IsIf(const std::string& op) { return op == "If" || op == "StatelessIf"; }
bool IsCase(const std::string& op) { return op == "Case" || op == "StatelessCase"; }

std::string Where(const tf::NodeDef& n) { return StrCat("{{node ", n.name(), "}} (", n.op(), ")"); }

Result<const tf::AttrValue*> RequiredAttr(const tf::NodeDef& n, const char* name) {
  const tf::AttrValue* a = graph::FindAttr(n, name);
  if (a == nullptr) return errors::InvalidArgument(Where(n), " has no attr '", name, "'");
  return a;
}

Result<std::vector<DataType>> TypeListAttr(const tf::NodeDef& n, const char* name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* a, RequiredAttr(n, name));
  std::vector<DataType> types;
  for (int t : a->list().type()) types.push_back(static_cast<DataType>(t));
  return types;
}

Result<tf::NameAttrList> FuncAttr(const tf::NodeDef& n, const char* name) {
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* a, RequiredAttr(n, name));
  if (!a->has_func()) return errors::InvalidArgument(Where(n), ": attr '", name, "' is not a function");
  return a->func();
}

// Numeric dtypes whose truth value Cast to bool gives (nonzero).
bool CastsToBool(DataType t) {
  switch (t) {
    case DT_FLOAT: case DT_DOUBLE: case DT_HALF: case DT_BFLOAT16:
    case DT_INT8: case DT_INT16: case DT_INT32: case DT_INT64:
    case DT_UINT8: case DT_UINT16: case DT_UINT32: case DT_UINT64:
      return true;
    default:
      return false;
  }
}

// One round of lowering into `out`.
class Lowering {
 public:
  Lowering(runtime::FunctionLibraryRuntime& functions, std::set<std::string> taken,
           std::map<std::string, std::string>* pivot_of, tf::GraphDef* out)
      : functions_(functions), taken_(std::move(taken)), pivot_of_(*pivot_of), out_(*out) {}

  Status Call(const tf::NodeDef& call) {
    std::vector<std::string> pivots;
    if (auto p = pivot_of_.find(call.name()); p != pivot_of_.end()) pivots.push_back(p->second);
    const int first = out_.node_size();
    TFPORT_RETURN_IF_ERROR(internal::InlineCall(call, functions_, pivots, &taken_, &out_));
    if (!pivots.empty()) Remember(first, pivots[0]);
    return OkStatus();
  }

  Status While(const tf::NodeDef& w);
  Status If(const tf::NodeDef& c);
  Status Case(const tf::NodeDef& c);

  // Lowered node name -> the tensors that now hold its outputs.
  const std::map<std::string, std::vector<std::string>>& rewired() const { return rewired_; }

 private:
  std::string Unique(const std::string& want) {
    std::string name = want;
    for (int k = 1; taken_.count(name); ++k) name = want + "_" + std::to_string(k);
    taken_.insert(name);
    return name;
  }

  // A new node named `want` (made unique); T is set unless DT_INVALID.
  tf::NodeDef* Add(const std::string& want, const std::string& op, const std::vector<std::string>& inputs,
                   DataType t = DT_INVALID) {
    tf::NodeDef* n = out_.add_node();
    n->set_name(Unique(want));
    n->set_op(op);
    for (const auto& in : inputs) n->add_input(in);
    if (t != DT_INVALID) (*n->mutable_attr())["T"].set_type(t);
    return n;
  }

  // Nodes from index `first` on sit where `pivot` runs.
  void Remember(int first, const std::string& pivot) {
    for (int k = first; k < out_.node_size(); ++k) pivot_of_[out_.node(k).name()] = pivot;
  }

  Result<InlinedBody> Inline(const tf::NodeDef& node, const tf::NameAttrList& f, const std::string& base,
                             const std::vector<std::string>& args, const std::string& pivot,
                             size_t num_rets, std::vector<DataType>* ret_types = nullptr) {
    TFPORT_ASSIGN_OR_RETURN(graph::FunctionBody body, internal::InstantiateFuncAttr(node, f, functions_));
    if (body.args.size() != args.size() || body.rets.size() != num_rets)
      return errors::InvalidArgument(Where(node), ": function '", f.name(), "' takes ", body.args.size(),
                                     " arguments and returns ", body.rets.size(), " results, the node has ",
                                     args.size(), " inputs and ", num_rets, " outputs");
    const int first = out_.node_size();
    Result<InlinedBody> inlined = internal::InlineBody(body, base, args, {pivot}, node.name(), &taken_, &out_);
    if (!inlined.ok()) return inlined.status();
    Remember(first, pivot);
    if (ret_types) *ret_types = body.ret_types;
    return inlined;
  }

  // `tensor` (of dtype `t`) as a bool: itself, or cast.
  Result<std::string> AsBool(const tf::NodeDef& node, const std::string& tensor, DataType t,
                             const std::string& want) {
    if (t == DT_BOOL) return tensor;
    if (!CastsToBool(t))
      return errors::InvalidArgument(Where(node), ": cannot lower a predicate of type ", DataTypeName(t),
                                     " (only bool and numeric scalars)");
    tf::NodeDef* cast = Add(want, "Cast", {tensor});
    (*cast->mutable_attr())["SrcT"].set_type(t);
    (*cast->mutable_attr())["DstT"].set_type(DT_BOOL);
    return cast->name();
  }

  // The lowered node's name on its results (Identity for one, IdentityN for
  // several, NoOp for none), after `after` too; consumers read `results`.
  void Results(const tf::NodeDef& node, const std::vector<std::string>& results,
               const std::vector<DataType>& types, const std::vector<std::string>& after) {
    tf::NodeDef* n = out_.add_node();
    n->set_name(node.name());
    if (results.empty()) {
      n->set_op("NoOp");
    } else if (results.size() == 1) {
      n->set_op("Identity");
      (*n->mutable_attr())["T"].set_type(types[0]);
    } else {
      n->set_op("IdentityN");
      for (DataType t : types) (*n->mutable_attr())["T"].mutable_list()->add_type(t);
    }
    for (const auto& r : results) n->add_input(r);
    for (const auto& a : after) n->add_input("^" + a);
    rewired_[node.name()] = results;
  }

  // Shared by If and Case: branch k runs `funcs[k]` on `args[k]` under
  // `pivots[k]`; results are merged.
  Status Branches(const tf::NodeDef& node, const std::vector<tf::NameAttrList>& funcs,
                  const std::vector<std::string>& bases, const std::vector<std::vector<std::string>>& args,
                  const std::vector<std::string>& pivots);

  runtime::FunctionLibraryRuntime& functions_;
  std::set<std::string> taken_;
  std::map<std::string, std::string>& pivot_of_;
  tf::GraphDef& out_;
  std::map<std::string, std::vector<std::string>> rewired_;
};

Status Lowering::While(const tf::NodeDef& w) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> types, TypeListAttr(w, "T"));
  TFPORT_ASSIGN_OR_RETURN(tf::NameAttrList cond, FuncAttr(w, "cond"));
  TFPORT_ASSIGN_OR_RETURN(tf::NameAttrList body, FuncAttr(w, "body"));
  int64_t parallel = 10;
  if (const tf::AttrValue* p = graph::FindAttr(w, "parallel_iterations")) parallel = p->i();
  std::vector<std::string> data, controls;
  for (const auto& in : w.input()) (in[0] == '^' ? controls : data).push_back(in);
  if (data.size() != types.size() || types.empty())
    return errors::InvalidArgument(Where(w), " has ", data.size(), " inputs for ", types.size(),
                                   " loop variables; at least one is needed to lower it");
  const std::string& name = w.name();
  const size_t n = types.size();
  // Names first: each Merge reads the NextIteration made after the body.
  std::vector<std::string> merges(n), nexts(n), idents(n), exits(n);
  for (size_t i = 0; i < n; ++i) nexts[i] = Unique(StrCat(name, "/NextIteration_", i));
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::string> in = {data[i]};
    in.insert(in.end(), controls.begin(), controls.end());
    tf::NodeDef* enter = Add(StrCat(name, "/Enter_", i), "Enter", in, types[i]);
    auto& attr = *enter->mutable_attr();
    attr["frame_name"].set_s(name);
    attr["is_constant"].set_b(false);
    attr["parallel_iterations"].set_i(parallel);
    tf::NodeDef* merge = Add(StrCat(name, "/Merge_", i), "Merge", {enter->name(), nexts[i]}, types[i]);
    (*merge->mutable_attr())["N"].set_i(2);
    merges[i] = merge->name();
  }
  std::vector<DataType> cond_types;
  Result<InlinedBody> c = Inline(w, cond, name + "/cond", merges, merges[0], 1, &cond_types);
  if (!c.ok()) return c.status().WithContext(StrCat("lowering the loop condition '", cond.name(), "'"));
  TFPORT_ASSIGN_OR_RETURN(std::string pred, AsBool(w, c->rets[0], cond_types[0], name + "/cond_bool"));
  std::vector<std::string> loop_in = {pred};
  for (const auto& r : c->control_rets) loop_in.push_back("^" + r);
  const std::string loop_cond = Add(name + "/LoopCond", "LoopCond", loop_in)->name();
  for (size_t i = 0; i < n; ++i) {
    const std::string sw = Add(StrCat(name, "/Switch_", i), "Switch", {merges[i], loop_cond}, types[i])->name();
    exits[i] = Add(StrCat(name, "/Exit_", i), "Exit", {sw}, types[i])->name();
    idents[i] = Add(StrCat(name, "/Identity_", i), "Identity", {sw + ":1"}, types[i])->name();
  }
  Result<InlinedBody> b = Inline(w, body, name + "/body", idents, idents[0], n);
  if (!b.ok()) return b.status().WithContext(StrCat("lowering the loop body '", body.name(), "'"));
  for (size_t i = 0; i < n; ++i) {
    tf::NodeDef* next = out_.add_node();
    next->set_name(nexts[i]);
    next->set_op("NextIteration");
    next->add_input(b->rets[i]);
    // The body's side effects finish before the next iteration starts.
    for (const auto& r : b->control_rets) next->add_input("^" + r);
    (*next->mutable_attr())["T"].set_type(types[i]);
  }
  Results(w, exits, types, {});
  return OkStatus();
}

Status Lowering::Branches(const tf::NodeDef& node, const std::vector<tf::NameAttrList>& funcs,
                          const std::vector<std::string>& bases,
                          const std::vector<std::vector<std::string>>& args,
                          const std::vector<std::string>& pivots) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> tout, TypeListAttr(node, "Tout"));
  std::vector<InlinedBody> bodies;
  for (size_t k = 0; k < funcs.size(); ++k) {
    Result<InlinedBody> b = Inline(node, funcs[k], bases[k], args[k], pivots[k], tout.size());
    if (!b.ok()) return b.status().WithContext(StrCat("lowering branch '", funcs[k].name(), "'"));
    bodies.push_back(std::move(*b));
  }
  std::vector<std::string> merged;
  for (size_t j = 0; j < tout.size(); ++j) {
    std::vector<std::string> in;
    for (const auto& b : bodies) in.push_back(b.rets[j]);
    tf::NodeDef* m = Add(StrCat(node.name(), "/Merge_", j), "Merge", in, tout[j]);
    (*m->mutable_attr())["N"].set_i(static_cast<int64_t>(in.size()));
    merged.push_back(m->name());
  }
  // Control consumers of the node wait for the taken branch's side effects
  // (or, without results, for the branch itself): a Merge of per-branch
  // markers, exactly one of which is live.
  std::vector<std::string> after;
  bool side_effects = false;
  for (const auto& b : bodies) side_effects |= !b.control_rets.empty();
  if (side_effects || tout.empty()) {
    std::vector<std::string> done;
    for (size_t k = 0; k < bodies.size(); ++k) {
      std::vector<std::string> in = {pivots[k]};
      for (const auto& r : bodies[k].control_rets) in.push_back("^" + r);
      done.push_back(Add(bases[k] + "_done", "Identity", in, DT_BOOL)->name());
    }
    tf::NodeDef* m = Add(node.name() + "/branch_executed", "Merge", done, DT_BOOL);
    (*m->mutable_attr())["N"].set_i(static_cast<int64_t>(done.size()));
    after.push_back(m->name());
  }
  Results(node, merged, tout, after);
  return OkStatus();
}

Status Lowering::If(const tf::NodeDef& c) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> tin, TypeListAttr(c, "Tin"));
  TFPORT_ASSIGN_OR_RETURN(tf::NameAttrList then_branch, FuncAttr(c, "then_branch"));
  TFPORT_ASSIGN_OR_RETURN(tf::NameAttrList else_branch, FuncAttr(c, "else_branch"));
  std::vector<std::string> data, controls;
  for (const auto& in : c.input()) (in[0] == '^' ? controls : data).push_back(in);
  if (data.size() != tin.size() + 1)
    return errors::InvalidArgument(Where(c), " has ", data.size(), " inputs, expected the predicate and ",
                                   tin.size(), " more (Tin)");
  DataType tcond = DT_BOOL;
  if (const tf::AttrValue* t = graph::FindAttr(c, "Tcond")) tcond = t->type();
  const std::string& name = c.name();
  TFPORT_ASSIGN_OR_RETURN(std::string pred, AsBool(c, data[0], tcond, name + "/pred_bool"));
  auto switched = [&](const std::string& x, DataType t, const std::string& want) {
    std::vector<std::string> in = {x, pred};
    in.insert(in.end(), controls.begin(), controls.end());
    return Add(want, "Switch", in, t)->name();
  };
  const std::string sp = switched(pred, DT_BOOL, name + "/Switch_pred");
  const std::string pivot_t = Add(name + "/pivot_t", "Identity", {sp + ":1"}, DT_BOOL)->name();
  const std::string pivot_f = Add(name + "/pivot_f", "Identity", {sp}, DT_BOOL)->name();
  std::vector<std::string> then_args, else_args;
  for (size_t j = 0; j < tin.size(); ++j) {
    const std::string sw = switched(data[j + 1], tin[j], StrCat(name, "/Switch_", j));
    then_args.push_back(sw + ":1");
    else_args.push_back(sw);
  }
  return Branches(c, {then_branch, else_branch}, {name + "/then", name + "/else"}, {then_args, else_args},
                  {pivot_t, pivot_f});
}

Status Lowering::Case(const tf::NodeDef& c) {
  TFPORT_ASSIGN_OR_RETURN(std::vector<DataType> tin, TypeListAttr(c, "Tin"));
  TFPORT_ASSIGN_OR_RETURN(const tf::AttrValue* branches, RequiredAttr(c, "branches"));
  std::vector<tf::NameAttrList> funcs(branches->list().func().begin(), branches->list().func().end());
  std::vector<std::string> data, controls;
  for (const auto& in : c.input()) (in[0] == '^' ? controls : data).push_back(in);
  if (funcs.empty()) return errors::InvalidArgument(Where(c), " has no branches");
  if (data.size() != tin.size() + 1)
    return errors::InvalidArgument(Where(c), " has ", data.size(), " inputs, expected the branch index and ",
                                   tin.size(), " more (Tin)");
  const std::string& name = c.name();
  const size_t n = funcs.size();
  // Branch k < n-1 runs when index == k; the last one otherwise.
  std::vector<std::string> preds;
  if (n > 1) {
    // The constants run in the index's frame (deadness follows the index).
    std::string anchor = "^" + graph::NodeNameOf(data[0]);
    if (auto p = pivot_of_.find(name); p != pivot_of_.end()) anchor = "^" + p->second;
    std::string any;
    for (size_t k = 0; k + 1 < n; ++k) {
      tf::NodeDef* kc = Add(StrCat(name, "/index_", k), "Const", {anchor});
      (*kc->mutable_attr())["dtype"].set_type(DT_INT32);
      TensorToProto(Tensor::Scalar<int32_t>(static_cast<int32_t>(k)), (*kc->mutable_attr())["value"].mutable_tensor());
      preds.push_back(Add(StrCat(name, "/is_", k), "Equal", {data[0], kc->name()}, DT_INT32)->name());
      any = k == 0 ? preds.back() : Add(StrCat(name, "/any_", k), "LogicalOr", {any, preds.back()})->name();
    }
    preds.push_back(Add(StrCat(name, "/is_", n - 1), "LogicalNot", {any})->name());
  }
  std::vector<std::vector<std::string>> args(n);
  std::vector<std::string> bases, pivots;
  for (size_t k = 0; k < n; ++k) {
    bases.push_back(StrCat(name, "/branch_", k));
    if (n == 1) {
      // One branch always runs: its inputs as they are.
      args[k].assign(data.begin() + 1, data.end());
      std::vector<std::string> in = {data[0]};
      in.insert(in.end(), controls.begin(), controls.end());
      pivots.push_back(Add(name + "/pivot", "Identity", in, DT_INT32)->name());
      continue;
    }
    auto switched = [&](const std::string& x, DataType t, const std::string& want) {
      std::vector<std::string> in = {x, preds[k]};
      in.insert(in.end(), controls.begin(), controls.end());
      return Add(want, "Switch", in, t)->name();
    };
    const std::string sp = switched(preds[k], DT_BOOL, StrCat(name, "/Switch_pred_", k));
    pivots.push_back(Add(StrCat(name, "/pivot_", k), "Identity", {sp + ":1"}, DT_BOOL)->name());
    for (size_t j = 0; j < tin.size(); ++j)
      args[k].push_back(switched(data[j + 1], tin[j], StrCat(name, "/Switch_", k, "_", j)) + ":1");
  }
  return Branches(c, funcs, bases, args, pivots);
}

}  // namespace

Result<tf::GraphDef> LowerControlFlow(const tf::GraphDef& graph_def,
                                      runtime::FunctionLibraryRuntime& functions) {
  tf::GraphDef current = graph_def;
  std::map<std::string, std::string> pivot_of;
  for (int round = 0;; ++round) {
    if (round > functions.options().max_call_depth)
      return errors::InvalidArgument("control flow and calls nest deeper than ",
                                     functions.options().max_call_depth, " while lowering");
    std::set<std::string> taken;
    for (const auto& n : current.node()) taken.insert(n.name());
    tf::GraphDef next;
    *next.mutable_versions() = current.versions();
    *next.mutable_library() = current.library();
    Lowering lower(functions, std::move(taken), &pivot_of, &next);
    bool any = false;
    for (const auto& n : current.node()) {
      Status s;
      if (internal::IsCallOp(n, functions)) {
        s = lower.Call(n);
      } else if (IsWhile(n.op())) {
        s = lower.While(n);
      } else if (IsIf(n.op())) {
        s = lower.If(n);
      } else if (IsCase(n.op())) {
        s = lower.Case(n);
      } else {
        *next.add_node() = n;
        continue;
      }
      if (!s.ok()) return s;
      any = true;
    }
    if (!any) break;
    // Consumers of a lowered node's outputs read the Exits / Merges directly
    // (control inputs keep the node's name).
    const auto& rewired = lower.rewired();
    for (auto& n : *next.mutable_node())
      for (auto& in : *n.mutable_input()) {
        if (in.empty() || in[0] == '^') continue;
        std::string node;
        int index = 0;
        if (!graph::ParseTensorName(in, &node, &index).ok()) continue;
        auto r = rewired.find(node);
        if (r != rewired.end() && index >= 0 && static_cast<size_t>(index) < r->second.size())
          in = r->second[static_cast<size_t>(index)];
      }
    current = std::move(next);
  }
  internal::PruneLibrary(&current, functions);
  return current;
}

}  // namespace tfport::freeze
