/** The in-app inbox: the messages the in-app channel stored, as the customer's app reads them. */
export {
  listInbox,
  unreadCount,
  markRead,
  archive,
  type InboxFilter,
  type InboxMessageRow,
  type InboxPage,
} from './inbox-messages';
export { recordReadEvent, IN_APP_READ_EVENT } from './read-event';
