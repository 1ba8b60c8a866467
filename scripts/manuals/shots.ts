/**
 * The manuals' screenshots (LEDGER-5, issue 17): every picture `npm run manuals` takes, the manual it
 * belongs to and the console route its page is at. scripts/manuals.ts refuses to save a picture of a
 * page that is not at the declared route; test/console/manuals.test.ts checks that every picture is
 * used by its manual, that every picture a manual shows is declared here, and that each route is one
 * the console registers. Plain data: no side effects on import.
 */
export type Manual = 'operator' | 'city' | 'supplier';

export interface Shot {
  /** The PNG's name under docs/manuals/images/. */
  file: string;
  manual: Manual;
  /** The console route (Fastify pattern) the page is at when the picture is taken. */
  route: string;
  /** POST: the page the server answered a form with (default GET). */
  method?: 'GET' | 'POST';
  /** What the picture shows (for the log and for whoever edits the manual). */
  what: string;
}

export const MANUALS: Record<Manual, { file: string; title: string }> = {
  operator: { file: 'operator.md', title: '受託者オペレーター向け操作マニュアル' },
  city: { file: 'city.md', title: '市職員向け操作マニュアル' },
  supplier: { file: 'supplier.md', title: '事業者向け操作マニュアル' },
};

export const SHOTS: Shot[] = [
  { file: 'operator-01-login.png', manual: 'operator', route: '/console/login', what: 'サインイン画面' },
  { file: 'operator-02-second-factor.png', manual: 'operator', route: '/console/login/second-factor', what: '確認コード（二要素目）の入力' },
  { file: 'operator-03-home.png', manual: 'operator', route: '/console/', what: 'オペレーターのホーム（作業キュー）' },
  { file: 'operator-04-donation-search.png', manual: 'operator', route: '/console/donations', what: '寄附の検索結果' },
  { file: 'operator-05-donation.png', manual: 'operator', route: '/console/donations/:id', what: '寄附の詳細と訂正フォーム' },
  { file: 'operator-05b-donation-correct.png', manual: 'operator', route: '/console/donations/:id', what: '保留の解除と寄附者情報の訂正' },
  { file: 'operator-06-hand-entry.png', manual: 'operator', route: '/console/donations/new', what: '電話で受けた寄附の手入力（確認）' },
  { file: 'operator-07-import.png', manual: 'operator', route: '/console/imports/:id', what: 'ポータルファイル取込の結果' },
  { file: 'operator-08-quarantine.png', manual: 'operator', route: '/console/quarantine/:id', what: '隔離された行の修正' },
  { file: 'operator-09-print-batches.png', manual: 'operator', route: '/console/print-batches', what: '印刷バッチの一覧' },
  { file: 'operator-10-print-batch.png', manual: 'operator', route: '/console/print-batches/:id', what: '印刷バッチ（送付リスト・投函の確認）' },
  { file: 'operator-11-onestop-queue.png', manual: 'operator', route: '/console/onestop', what: 'ワンストップ特例の審査キュー' },
  { file: 'operator-12-onestop-application.png', manual: 'operator', route: '/console/onestop/applications/:id', what: '申請書の審査画面' },
  { file: 'operator-13-shipment.png', manual: 'operator', route: '/console/shipments/:id', what: '配送トラブルの記録' },
  { file: 'operator-14-shipments.png', manual: 'operator', route: '/console/shipments', what: '問題のある配送の一覧' },
  { file: 'operator-15-call.png', manual: 'operator', route: '/console/calls/:id', what: '問い合わせの記録と経過' },
  { file: 'operator-15b-call-cancellation.png', manual: 'operator', route: '/console/calls/:id', what: '寄附の取消の受付（問い合わせのページ）' },
  { file: 'operator-15c-stale-form.png', manual: 'operator', route: '/console/calls/:id/outcome', method: 'POST', what: 'ほかの人が先に変更したときの表示（入力は残る）' },
  { file: 'operator-16-billing.png', manual: 'operator', route: '/console/billing', what: '請求月の状況（事業者別の明細）' },
  { file: 'operator-16b-billing-runs.png', manual: 'operator', route: '/console/billing/runs', what: 'すべての月の請求の一覧' },
  { file: 'operator-17-billing-statement.png', manual: 'operator', route: '/console/billing/:month/statements/:supplier', what: '事業者の異議の調査と解決' },
  { file: 'city-01-home.png', manual: 'city', route: '/console/', what: '市職員のホーム（市の判断を待っているもの）' },
  { file: 'city-02-progress.png', manual: 'city', route: '/console/progress', what: '年度の進捗' },
  { file: 'city-03-approvals.png', manual: 'city', route: '/console/approvals', what: '承認キュー' },
  { file: 'city-04-gift-approval.png', manual: 'city', route: '/console/approvals/gifts/:code', what: '返礼品の提案（3割の比率）と判断' },
  { file: 'city-05-invoice.png', manual: 'city', route: '/console/approvals/invoices/:month', what: '請求書の受理・差戻し' },
  { file: 'city-06-invoice-rejected.png', manual: 'city', route: '/console/approvals/invoices/:month', what: '差戻しの記録' },
  { file: 'city-07-report-inspection.png', manual: 'city', route: '/console/approvals/reports/:month', what: '月次業務報告書の検査' },
  { file: 'city-08-reports.png', manual: 'city', route: '/console/reports', what: '月次報告書と事故報告' },
  { file: 'supplier-01-home.png', manual: 'supplier', route: '/console/', what: '事業者のホーム' },
  { file: 'supplier-02-orders.png', manual: 'supplier', route: '/console/supplier/orders', what: '注文の一覧' },
  { file: 'supplier-03-order.png', manual: 'supplier', route: '/console/supplier/orders/:id', what: '注文の明細と伝票番号の入力' },
  { file: 'supplier-04-carrier-file.png', manual: 'supplier', route: '/console/supplier/orders/:id/labels', method: 'POST', what: '配送業者ファイルの取込結果' },
  { file: 'supplier-05-statements.png', manual: 'supplier', route: '/console/supplier/statements', what: '明細・品質・在庫の一覧' },
  { file: 'supplier-06-statement.png', manual: 'supplier', route: '/console/supplier/statements/:month', what: '月次の明細の確認・異議' },
  { file: 'supplier-07-quality.png', manual: 'supplier', route: '/console/supplier/quality/:id', what: '品質改善の求めへの回答' },
  { file: 'supplier-08-stock.png', manual: 'supplier', route: '/console/supplier/gifts/:code', what: '返礼品の在庫の更新' },
];

/** True when a path (no query) is at a Fastify route pattern such as /console/donations/:id. */
export function atRoute(pathname: string, route: string): boolean {
  const pattern = route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(pathname);
}
